import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../../src/db/client.js';
import { createRosterRepository } from '../../../src/db/repos/roster.js';
import { DAY } from '../../../src/lib/clock.js';
import { Harness } from '../../support/harness.js';
import { api, type School, school } from '../../support/roster.js';

/** The school's requests about a person's data (152-ФЗ): export, erasure and its act, bad input. */
describe('personal data: export and erasure through the school API', () => {
  let h: Harness;
  let s: School;
  beforeAll(async () => {
    h = await Harness.start();
    s = await school(h);
    const teacher = s.teacher;
    const offending = h.api.sendMessage(s.chats.parents7, s.people.anna, 'Реклама: купите слона');
    h.api.sendMessage(s.chats.parents7, teacher, '/strike 2 реклама в чате', {
      replyTo: offending.message_id,
    });
    await h.settle();
  }, 60_000);
  afterAll(() => h.stop());

  it('exports everything stored about a guardian and their account as one JSON document', async () => {
    const got = await api(h, 'GET', '/api/v1/people/guardian/G1/data', { token: s.token });
    expect(got.status).toBe(200);
    const records = got.body.records as Record<string, Array<Record<string, unknown>>>;
    expect(records.persons).toEqual([
      expect.objectContaining({ kind: 'guardian', external_id: 'G1', name: 'Анна Петрова' }),
    ]);
    expect(records.accounts).toEqual([
      expect.objectContaining({
        platform_user_id: String(s.people.anna.id),
        first_name: 'Анна',
        last_name: 'Петрова',
      }),
    ]);
    expect(records.strikes).toEqual([expect.objectContaining({ rule_number: 2, reason: 'реклама в чате' })]);
    expect(records.guardianships).toEqual([{ guardian: 'guardian:G1', student: 'student:S1' }]);
    expect(Object.values(got.body.chats as object)).toContain('7Б — родители');
  });

  it('answers 404 for an unknown person or another school, 400 for a malformed id', async () => {
    expect((await api(h, 'GET', '/api/v1/people/guardian/G404/data', { token: s.token })).status).toBe(404);
    expect((await api(h, 'GET', '/api/v1/people/teacher/T1/data', { token: s.token })).status).toBe(400);
    expect((await api(h, 'GET', '/api/v1/people/guardian/G%20%201/data', { token: s.token })).status).toBe(
      400,
    );
    expect((await api(h, 'GET', '/api/v1/people/account/telegram/abc/data', { token: s.token })).status).toBe(
      400,
    );
    // Every platform the bot runs on names an account (MAX too); an account never seen is not found.
    for (const platform of ['telegram', 'vk', 'max'])
      expect(
        (await api(h, 'GET', `/api/v1/people/account/${platform}/777000/data`, { token: s.token })).status,
        platform,
      ).toBe(404);
    expect(
      (await api(h, 'GET', '/api/v1/people/account/whatsapp/777000/data', { token: s.token })).status,
    ).toBe(400);
    const roster = createRosterRepository(h.db.database.db);
    const other = await roster.createSchool('Другая школа', h.clock.now());
    const otherToken = await roster.createToken(other.id, 'other', h.clock.now());
    expect((await api(h, 'GET', '/api/v1/people/guardian/G1/data', { token: otherToken })).status).toBe(404);
    const erase = await api(h, 'POST', '/api/v1/people/guardian/G1/erase', {
      token: otherToken,
      body: { reason: 'заявление' },
    });
    expect(erase.status).toBe(404);
    const accountAsOther = await api(h, 'GET', `/api/v1/people/account/telegram/${s.people.anna.id}/data`, {
      token: otherToken,
    });
    expect(accountAsOther.status).toBe(404);
  });

  it('refuses an erasure without a reason (400) and changes nothing', async () => {
    const none = await api(h, 'POST', '/api/v1/people/guardian/G1/erase', { token: s.token, body: {} });
    expect(none.status).toBe(400);
    const blank = await api(h, 'POST', '/api/v1/people/guardian/G1/erase', {
      token: s.token,
      body: { reason: ' ' },
    });
    expect(blank.status).toBe(400);
    expect((await api(h, 'GET', '/api/v1/people/guardian/G1/data', { token: s.token })).status).toBe(200);
  });

  it('erases the guardian, writes the act, and answers a repeated request with the first act', async () => {
    const first = await api(h, 'POST', '/api/v1/people/guardian/G1/erase', {
      token: s.token,
      body: { reason: 'заявление субъекта от 30.11.2026', requestedBy: 'субъект (письменное заявление)' },
    });
    expect(first.status).toBe(200);
    expect(first.body.result).toBe('erased');
    const act = first.body.act as { id: number; destroyed: Array<{ category: string; count: number }> };
    expect(act.destroyed).toEqual(
      expect.arrayContaining([
        { category: 'strikes', count: 1 },
        { category: 'roster_records', count: 1 },
        { category: 'account_names', count: 1 },
      ]),
    );
    const again = await api(h, 'POST', '/api/v1/people/guardian/G1/erase', {
      token: s.token,
      body: { reason: 'повторно' },
    });
    expect(again.status).toBe(200);
    expect(again.body.result).toBe('already');
    expect((again.body.act as { id: number }).id).toBe(act.id);
    expect((await api(h, 'GET', '/api/v1/people/guardian/G1/data', { token: s.token })).status).toBe(404);
    const shown = await api(h, 'GET', `/api/v1/acts/${act.id}`, { token: s.token });
    expect(shown.status).toBe(200);
    expect(shown.body.text).toContain(`АКТ № ${act.id}`);
    expect(shown.body.text).toContain('предупреждения: 1');
    expect(shown.body.text).not.toContain('Петрова');
    // Issue 17: the log extract names each action in words, never by its code.
    expect(shown.body.text).toMatch(/\n {2}№ \d+ {2}.+ {2}предупреждение, чат \d+\n/);
    const extract = String(shown.body.text)
      .split('\n')
      .filter((line) => line.startsWith('  № '));
    expect(extract.length).toBeGreaterThan(0);
    for (const line of extract) expect(line).not.toMatch(/[a-z_]{3,}/);
  });

  it('keeps an active block (its end, no names) through an erasure, and lifts it on time', async () => {
    const boris = s.people.boris;
    for (let n = 0; n < 4; n += 1) {
      const message = h.api.sendMessage(s.chats.parents7, boris, 'Реклама');
      h.api.sendMessage(s.chats.parents7, s.teacher, '/strike 2', { replyTo: message.message_id });
      await h.settle();
    }
    expect(h.api.member(s.chats.parents7, boris).status).toBe('restricted');
    const erased = await api(h, 'POST', '/api/v1/people/guardian/G2/erase', {
      token: s.token,
      body: { reason: 'заявление субъекта' },
    });
    expect(erased.status).toBe(200);
    const act = erased.body.act as { kept: Array<{ category: string; count: number }> };
    expect(act.kept).toContainEqual({ category: 'active_blocks', count: 1 });
    expect(h.api.member(s.chats.parents7, boris).status).toBe('restricted');
    await h.advance(8 * DAY);
    await h.app.jobs.run('lift-due-blocks');
    await h.settle();
    expect(h.api.member(s.chats.parents7, boris).status).toBe('member');
    expect(h.api.botMessages(s.chats.parents7).some((m) => (m.text ?? '').includes('Смирнов'))).toBe(true);
    const lifted = h.api.botMessages(s.chats.parents7).at(-1)?.text ?? '';
    expect(lifted).not.toContain('Смирнов');
    // Lifted, the block no longer needs the platform id: retention replaces it by a pseudonym.
    await h.app.jobs.run('personal-data-retention');
    const ids = rowsOf<{ platform_user_id: string }>(
      await h.db.database.db.execute(sql`select platform_user_id from accounts where erased_at is not null`),
    ).map((row) => row.platform_user_id);
    expect(ids).not.toContain(String(boris.id));
    expect(ids.length).toBeGreaterThan(1);
    for (const id of ids) expect(id).toMatch(/^erased:[0-9a-f]+$/);
  });

  it('erases an account no roster person has (account/{platform}/{id}); its moderator actions stay under its id', async () => {
    const teacher = s.teacher;
    const path = `/api/v1/people/account/telegram/${teacher.id}`;
    expect((await api(h, 'GET', `${path}/data`, { token: s.token })).status).toBe(200);
    const db = h.db.database.db;
    const [before] = rowsOf<{ id: number }>(
      await db.execute(sql`select id from accounts where platform_user_id = ${String(teacher.id)}`),
    );
    const erased = await api(h, 'POST', `${path}/erase`, {
      token: s.token,
      body: { reason: 'увольнение, заявление' },
    });
    expect(erased.status).toBe(200);
    const account = rowsOf<{ id: number; platform_user_id: string; first_name: string }>(
      await db.execute(
        sql`select id, platform_user_id, first_name from accounts where id = ${before?.id ?? 0}`,
      ),
    )[0];
    expect(account?.platform_user_id).toMatch(/^erased:[0-9a-f]{24}$/);
    expect(account?.first_name).toBe('');
    const entries = rowsOf<{ actor_name: string | null; n: number }>(
      await db.execute(sql`select actor_name, count(*)::int as n from audit_log
        where action = 'strike' and actor_account_id = ${account?.id ?? 0} group by actor_name`),
    );
    expect(entries).toEqual([{ actor_name: null, n: 5 }]);
    const again = await api(h, 'POST', `${path}/erase`, { token: s.token, body: { reason: 'повторно' } });
    expect(again.body.result).toBe('already');
  });
});
