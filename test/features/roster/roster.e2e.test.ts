import { eq } from 'drizzle-orm';
import type { User } from 'telegraf/types';
import { afterEach, describe, expect, it } from 'vitest';
import { createRosterRepository } from '../../../src/db/repos/roster.js';
import { auditLog, invitations, persons, removals, rosterEvents } from '../../../src/db/schema.js';
import { DAY, MINUTE } from '../../../src/lib/clock.js';
import { Harness } from '../../support/harness.js';
import { api, type School, school, schoolToken } from '../../support/roster.js';
import { botTexts } from '../../support/school.js';

function bannedIn(h: Harness, s: School, user: User): string[] {
  return Object.entries(s.chats)
    .filter(([, chatId]) => h.api.member(chatId, user).status === 'kicked')
    .map(([name]) => name)
    .sort();
}

const summaries = (h: Harness, chatId: number) =>
  botTexts(h, chatId).filter((text) => text.startsWith('По данным школы'));

describe('roster sync: departures remove students, their families and departed staff (4.13.8)', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('bans exactly the right accounts in the right chats, one summary per chat, and a repeat changes nothing', async () => {
    h = await Harness.start();
    const s = await school(h);
    const push = await api(h, 'POST', '/api/v1/roster/events', {
      token: s.token,
      body: { events: [{ id: 'd1', type: 'student.departed', studentId: 'S1' }] },
    });
    expect(push).toEqual({ status: 200, body: { applied: 1, duplicates: [], removals: 4, reinstated: 0 } });
    await h.settle();
    expect(bannedIn(h, s, s.people.ivan)).toEqual(['classChat']);
    expect(bannedIn(h, s, s.people.anna)).toEqual(['classChat', 'parents7']);
    expect(bannedIn(h, s, s.people.boris)).toEqual([]);
    expect(bannedIn(h, s, s.people.vera)).toEqual(['parents7']);
    expect(bannedIn(h, s, s.people.oleg)).toEqual([]);
    expect(summaries(h, s.chats.classChat)).toEqual([
      'По данным школы из чата удалены: Иван Петров, Анна Петрова (п. 4.13.8 положения: выбытие обучающегося или увольнение работника).',
    ]);
    expect(summaries(h, s.chats.parents7)).toEqual([
      expect.stringContaining('удалены: Анна Петрова, Вера Козлова'),
    ]);
    expect(summaries(h, s.chats.parents8)).toEqual([]);
    const audit = await h.db.database.db.select().from(auditLog).where(eq(auditLog.action, 'removed'));
    expect(audit).toHaveLength(4);
    expect(
      audit.every((entry) => (entry.details as { rosterEventId?: number }).rosterEventId !== undefined),
    ).toBe(true);

    const bansBefore = h.api.callsTo('banChatMember').length;
    const again = await api(h, 'POST', '/api/v1/roster/events', {
      token: s.token,
      body: { events: [{ id: 'd1', type: 'student.departed', studentId: 'S1' }] },
    });
    expect(again).toEqual({
      status: 200,
      body: { applied: 0, duplicates: ['d1'], removals: 0, reinstated: 0 },
    });
    await h.settle();
    expect(h.api.callsTo('banChatMember')).toHaveLength(bansBefore);
    expect(summaries(h, s.chats.classChat)).toHaveLength(1);

    // A departed employee leaves every chat.
    await api(h, 'POST', '/api/v1/roster/events', {
      token: s.token,
      body: { events: [{ id: 'd2', type: 'staff.departed', staffId: 'T1' }] },
    });
    await h.settle();
    expect(bannedIn(h, s, s.people.oleg)).toEqual(['classChat', 'staffRoom']);
  });

  it('rejects an invalid batch whole, with what is wrong per event, and applies nothing', async () => {
    h = await Harness.start();
    const s = await school(h);
    const eventsBefore = await h.db.database.db.select().from(rosterEvents);
    const response = await api(h, 'POST', '/api/v1/roster/events', {
      token: s.token,
      body: {
        events: [
          { id: 'ok1', type: 'student.departed', studentId: 'S1' },
          { id: 'bad1', type: 'student.expelled', studentId: 'S1' },
          { id: 'bad2', type: 'student.enrolled', studentId: 'S9' },
          { id: 'bad3', type: 'student.transferred', studentId: 'S404', classCode: '9В' },
          { id: 'ok1', type: 'staff.hired', staffId: 'T2' },
          { type: 'staff.departed', staffId: 42 },
        ],
      },
    });
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('5 of 6 events are invalid; nothing was applied');
    expect(response.body.problems).toEqual([
      { index: 1, id: 'bad1', problems: [expect.stringContaining('type "student.expelled" is unknown')] },
      { index: 2, id: 'bad2', problems: ['classCode is required'] },
      { index: 3, id: 'bad3', problems: ['studentId "S404" is not a student of this school'] },
      { index: 4, id: 'ok1', problems: ['id "ok1" appears more than once in this request'] },
      { index: 5, problems: ['id is required', 'staffId must be a string'] },
    ]);
    await h.settle();
    expect(await h.db.database.db.select().from(rosterEvents)).toHaveLength(eventsBefore.length);
    expect(await h.db.database.db.select().from(removals)).toHaveLength(0);
    expect(bannedIn(h, s, s.people.ivan)).toEqual([]);
  });

  it('refuses requests without a valid token, keeps schools apart, and checks the body', async () => {
    h = await Harness.start();
    const s = await school(h);
    const events = { events: [{ id: 'x', type: 'student.departed', studentId: 'S1' }] };
    expect((await api(h, 'POST', '/api/v1/roster/events', { body: events })).status).toBe(401);
    expect(
      (
        await api(h, 'POST', '/api/v1/roster/events', {
          token: 'ccm_1_wrongwrongwrongwrongwrong',
          body: events,
        })
      ).status,
    ).toBe(401);
    expect(
      (await api(h, 'POST', '/api/v1/roster/events', { token: `${s.token}x`, body: events })).status,
    ).toBe(401);
    expect((await api(h, 'GET', '/api/v1/stats', { token: 'nonsense' })).status).toBe(401);

    const other = await createRosterRepository(h.db.database.db).createSchool('Лицей №2', h.clock.now());
    const otherToken = await schoolToken(h, other.id);
    const foreign = await api(h, 'POST', '/api/v1/roster/events', { token: otherToken, body: events });
    expect(foreign.status).toBe(400);
    expect(foreign.body.problems).toEqual([
      { index: 0, id: 'x', problems: ['studentId "S1" is not a student of this school'] },
    ]);
    const otherStats = await api(h, 'GET', '/api/v1/stats', { token: otherToken });
    expect(otherStats.body).toEqual({ school: { id: other.id, name: 'Лицей №2' }, chats: [] });
    // The same external id in another school is another person.
    await api(h, 'POST', '/api/v1/roster/events', {
      token: otherToken,
      body: {
        events: [
          { id: 'o1', type: 'student.enrolled', studentId: 'S1', classCode: '1А' },
          { id: 'o2', type: 'student.departed', studentId: 'S1' },
        ],
      },
    });
    await h.settle();
    expect(bannedIn(h, s, s.people.ivan)).toEqual([]);
    const ivan = await h.db.database.db.select().from(persons).where(eq(persons.externalId, 'S1'));
    expect(ivan.map((p) => [p.schoolId, p.status]).sort()).toEqual([
      [1, 'active'],
      [other.id, 'departed'],
    ]);

    expect(
      (
        await api(h, 'POST', '/api/v1/roster/events', {
          token: s.token,
          raw: '{"events": [',
          contentType: 'application/json',
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await api(h, 'POST', '/api/v1/roster/events', {
          token: s.token,
          raw: 'id,type',
          contentType: 'text/csv',
        })
      ).status,
    ).toBe(415);
    const huge = JSON.stringify({
      events: [{ id: 'h', type: 'staff.hired', staffId: 'T9', name: 'x'.repeat(2 * 1024 * 1024) }],
    });
    expect((await api(h, 'POST', '/api/v1/roster/events', { token: s.token, raw: huge })).status).toBe(413);

    const stats = await api(h, 'GET', '/api/v1/stats', { token: s.token });
    expect(stats.status).toBe(200);
    const chats = stats.body.chats as Array<Record<string, unknown>>;
    expect(chats.map((chat) => chat.title)).toEqual(['7Б', '7Б — родители', '8А — родители', 'Учительская']);
    expect(chats[0]).toMatchObject({
      class: '7Б',
      kind: 'class',
      members: 4,
      removals: { done: 0, pending: 0, failed: 0 },
    });
  });

  it('completes removals through 5xx and 429 from Telegram, and after a restart', async () => {
    h = await Harness.start();
    const s = await school(h);
    h.api.fail('banChatMember', { status: 502 }, { times: 2 });
    h.api.fail('banChatMember', { status: 429, retryAfter: 1 }, { times: 1 });
    await api(h, 'POST', '/api/v1/roster/events', {
      token: s.token,
      body: { events: [{ id: 'd1', type: 'student.departed', studentId: 'S1' }] },
    });
    await h.settle();
    await new Promise((resolve) => setTimeout(resolve, 1200));
    await h.settle();
    expect(bannedIn(h, s, s.people.anna)).toEqual(['classChat', 'parents7']);
    expect(h.api.callsTo('banChatMember').filter((call) => !call.ok)).toHaveLength(3);

    // Removals decided while the bot is down (Telegram unreachable) are carried out after the restart.
    h.api.fail('banChatMember', { status: 503 }, { times: 50 });
    await api(h, 'POST', '/api/v1/roster/events', {
      token: s.token,
      body: { events: [{ id: 'd2', type: 'staff.departed', staffId: 'T1' }] },
    });
    await h.bot.stop();
    h.api.clearFaults();
    await h.restart();
    await h.settle();
    expect(bannedIn(h, s, s.people.oleg)).toEqual(['classChat', 'staffRoom']);
    const pending = await h.db.database.db.select().from(removals).where(eq(removals.status, 'pending'));
    expect(pending).toHaveLength(0);
  });

  it('applies a full snapshot as its difference, and the same snapshot again changes nothing', async () => {
    h = await Harness.start();
    const s = await school(h);
    const snapshot = {
      students: [
        { id: 'S2', classCode: '7Б' },
        { id: 'S3', classCode: '8А' },
        { id: 'S4', classCode: '8А', name: 'Новенький' },
      ],
      guardians: [
        { id: 'G2', studentIds: ['S2'] },
        { id: 'G3', studentIds: ['S3'] },
      ],
      staff: [{ id: 'T1', name: 'Олег Сидоров' }],
    };
    const first = await api(h, 'PUT', '/api/v1/roster', { token: s.token, body: snapshot });
    expect(first.body).toMatchObject({ changes: 2, removals: 4 });
    await h.settle();
    expect(bannedIn(h, s, s.people.anna)).toEqual(['classChat', 'parents7']);
    expect(bannedIn(h, s, s.people.boris)).toEqual([]);
    const second = await api(h, 'PUT', '/api/v1/roster', { token: s.token, body: snapshot });
    expect(second.body).toEqual({ changes: 0, applied: 0, removals: 0, reinstated: 0 });
    const invalid = await api(h, 'PUT', '/api/v1/roster', {
      token: s.token,
      body: { students: [{ id: 'S2' }], guardians: [{ id: 'G9', studentIds: ['S404'] }], staff: [] },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.problems).toEqual(['students.0.classCode is required']);
    const dangling = await api(h, 'PUT', '/api/v1/roster', {
      token: s.token,
      body: {
        students: [{ id: 'S2', classCode: '7Б' }],
        guardians: [{ id: 'G9', studentIds: ['S404'] }],
        staff: [],
      },
    });
    expect(dangling.body.problems).toEqual(['guardians.0.studentIds.0 "S404" is not among the students']);
  });

  it('lifts the bans when a departed student is enrolled again, and declines join requests while removed', async () => {
    h = await Harness.start();
    const s = await school(h);
    await api(h, 'POST', '/api/v1/roster/events', {
      token: s.token,
      body: { events: [{ id: 'd1', type: 'student.departed', studentId: 'S1' }] },
    });
    await h.settle();
    h.api.sendMessage(s.chats.parents7, s.teacher, '/invite');
    await h.settle();
    const url = /https:\/\/t\.me\/\+\S+/.exec(botTexts(h, s.chats.parents7).at(-1) ?? '')?.[0] ?? '';
    await h.bot.telegram!.call('unbanChatMember', {
      chat_id: s.chats.parents7,
      user_id: s.people.anna.id,
      only_if_banned: true,
    });
    h.api.requestJoin(s.chats.parents7, s.people.anna, url);
    await h.settle();
    expect(h.api.joinRequests(s.chats.parents7).at(-1)?.status).toBe('declined');
    expect(h.api.lastBotMessage(s.people.anna.id)?.text).toContain(
      'по данным школы вы больше не относитесь к этому чату',
    );

    const back = await api(h, 'POST', '/api/v1/roster/events', {
      token: s.token,
      body: { events: [{ id: 'r1', type: 'student.enrolled', studentId: 'S1', classCode: '7Б' }] },
    });
    expect(back.body).toMatchObject({ reinstated: 4 });
    await h.settle();
    const unbans = h.api
      .callsTo('unbanChatMember')
      .filter((call) => call.ok && call.params.only_if_banned === true);
    expect(unbans.length).toBeGreaterThanOrEqual(4);
    expect(bannedIn(h, s, s.people.ivan)).toEqual([]);
    expect(bannedIn(h, s, s.people.vera)).toEqual([]);
  });

  it('links an account by a personal invitation and sends join links to the person’s chats; unclaimed ones expire', async () => {
    h = await Harness.start();
    const s = await school(h);
    const invite = await api(h, 'POST', '/api/v1/invitations', {
      token: s.token,
      body: { kind: 'guardian', id: 'G2' },
    });
    expect(invite.status).toBe(201);
    const code = String(invite.body.code);
    expect(code.length).toBeLessThanOrEqual(64);
    expect(code).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(invite.body.link).toBe(`https://t.me/class_moderator_bot?start=${code}`);

    const galina = h.api.createUser({ first_name: 'Галина', last_name: 'Смирнова' });
    h.api.privateMessage(galina, `/start ${code}`);
    await h.settle();
    const texts = h.api
      .messages(galina.id)
      .filter((m) => m.fromBot)
      .map((m) => m.text ?? '');
    expect(texts[0]).toContain('Ваш аккаунт связан с записью школы (родитель (законный представитель))');
    const links = texts.filter((text) => text.startsWith('Чат «'));
    expect(links.map((text) => text.split(':')[0]).sort()).toEqual(['Чат «7Б — родители»', 'Чат «7Б»']);
    const url =
      /https:\/\/t\.me\/\+\S+/.exec(links.find((text) => text.includes('родители')) ?? '')?.[0] ?? '';
    expect(
      h.api.inviteLinks(s.chats.parents7).find((link) => link.invite_link === url)?.creates_join_request,
    ).toBe(true);
    h.api.requestJoin(s.chats.parents7, galina, url);
    await h.settle();
    expect(h.api.member(s.chats.parents7, galina).status).toBe('member');

    h.api.privateMessage(h.api.createUser({ first_name: 'Чужой' }), `/start ${code}`);
    await h.settle();
    expect(h.api.botMessages(galina.id).length).toBeGreaterThan(0);

    const unclaimed = await api(h, 'POST', '/api/v1/invitations', {
      token: s.token,
      body: { kind: 'staff', id: 'T1' },
    });
    await h.advance(15 * DAY);
    await h.app.jobs.run('expire-invitations');
    await h.settle();
    const [row] = await h.db.database.db
      .select()
      .from(invitations)
      .where(eq(invitations.code, String(unclaimed.body.code)));
    expect(row?.revokedAt).not.toBeNull();
    const late = h.api.createUser({ first_name: 'Опоздавший' });
    h.api.privateMessage(late, `/start ${String(unclaimed.body.code)}`);
    await h.settle();
    expect(h.api.lastBotMessage(late.id)?.text).toBe(
      'Срок действия приглашения истёк. Попросите новое у классного руководителя.',
    );
    expect(h.api.inviteLinks(s.chats.parents7).find((link) => link.invite_link === url)?.is_revoked).toBe(
      true,
    );
    expect(
      (await api(h, 'POST', '/api/v1/invitations', { token: s.token, body: { kind: 'staff', id: 'T404' } }))
        .status,
    ).toBe(404);
    await h.advance(MINUTE);
  });

  it('lets a moderator link a member with /link', async () => {
    h = await Harness.start();
    const s = await school(h);
    const dima = h.api.createUser({ first_name: 'Дима' });
    h.api.addMember(s.chats.classChat, dima, { by: s.teacher });
    const message = h.api.sendMessage(s.chats.classChat, dima, 'Привет');
    h.api.sendMessage(s.chats.classChat, s.teacher, '/link S2', { replyTo: message.message_id });
    await h.settle();
    expect(botTexts(h, s.chats.classChat).at(-1)).toBe(
      'Аккаунт участника Дима связан с записью школы: ученик S2.',
    );
    await api(h, 'POST', '/api/v1/roster/events', {
      token: s.token,
      body: { events: [{ id: 'd', type: 'student.departed', studentId: 'S2' }] },
    });
    await h.settle();
    expect(h.api.member(s.chats.classChat, dima).status).toBe('kicked');
  });
});
