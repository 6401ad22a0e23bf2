import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../../src/db/client.js';
import { persons, strikes } from '../../../src/db/schema.js';
import { DAY } from '../../../src/lib/clock.js';
import { Harness } from '../../support/harness.js';
import { api, type School, school } from '../../support/roster.js';

/** Retention (152-ФЗ) on the injected clock: per school, with the defaults from the configuration. */
describe('personal data: retention', () => {
  let h: Harness;
  let s: School;
  const db = () => h.db.database.db;
  const runRetention = () => h.app.jobs.run('personal-data-retention');
  beforeAll(async () => {
    h = await Harness.start();
    s = await school(h);
  }, 60_000);
  afterAll(() => h.stop());

  it('sets a school’s periods through the API (null is the default) and refuses bad ones', async () => {
    const shown = await api(h, 'GET', '/api/v1/retention', { token: s.token });
    expect(shown.body.effective).toEqual({ strikeDays: 365, departedDays: 30, auditDays: 1095 });
    const bad = await api(h, 'PUT', '/api/v1/retention', { token: s.token, body: { strikeDays: 0 } });
    expect(bad.status).toBe(400);
    const set = await api(h, 'PUT', '/api/v1/retention', { token: s.token, body: { strikeDays: 10 } });
    expect(set.status).toBe(200);
    expect(set.body.effective).toEqual({ strikeDays: 10, departedDays: 30, auditDays: 1095 });
  });

  it('erases a strike a strike period after it stopped counting, and names in old audit entries', async () => {
    const offending = h.api.sendMessage(s.chats.parents7, s.people.boris, 'Реклама');
    h.api.sendMessage(s.chats.parents7, s.teacher, '/strike 2 реклама', { replyTo: offending.message_id });
    await h.settle();
    expect(await db().select().from(strikes)).toHaveLength(1);
    // It counts for strike_days (365) and is kept 10 more days (the school's period).
    h.clock.advance(370 * DAY);
    await runRetention();
    expect(await db().select().from(strikes)).toHaveLength(1);
    h.clock.advance(6 * DAY);
    await runRetention();
    expect(await db().select().from(strikes)).toHaveLength(0);
    const named = () =>
      db()
        .execute(sql`select actor_name, reason from audit_log where action = 'strike'`)
        .then((r) => rowsOf(r));
    expect(await named()).toEqual([{ actor_name: 'Мария Ивановна', reason: 'реклама' }]);
    h.clock.advance(720 * DAY);
    await runRetention();
    expect(await named()).toEqual([{ actor_name: null, reason: null }]);
  });

  it('keeps of a departed person only a keyed hash and the removal list; a re-enrolment finds them', async () => {
    const departed = await api(h, 'POST', '/api/v1/roster/events', {
      token: s.token,
      body: { events: [{ id: 'd1', type: 'staff.departed', staffId: 'T1' }] },
    });
    expect(departed.body.removals).toBeGreaterThan(0);
    await h.settle();
    h.clock.advance(29 * DAY);
    await runRetention();
    const [kept] = await db().select().from(persons).where(eq(persons.kind, 'staff'));
    expect(kept?.name).toBe('Олег Сидоров');
    h.clock.advance(2 * DAY);
    await runRetention();
    const [gone] = await db().select().from(persons).where(eq(persons.kind, 'staff'));
    expect(gone).toMatchObject({ name: null, status: 'departed' });
    expect(gone?.externalId).toMatch(/^hash:[0-9a-f]{32}$/);
    const accounts = rowsOf<{ first_name: string; platform_user_id: string }>(
      await db().execute(
        sql`select first_name, platform_user_id from accounts where platform_user_id = ${String(s.people.oleg.id)}`,
      ),
    );
    expect(accounts).toEqual([{ first_name: '', platform_user_id: String(s.people.oleg.id) }]);
    const back = await api(h, 'POST', '/api/v1/roster/events', {
      token: s.token,
      body: { events: [{ id: 'h2', type: 'staff.hired', staffId: 'T1', name: 'Олег Сидоров' }] },
    });
    expect(back.status).toBe(200);
    expect(back.body.reinstated).toBeGreaterThan(0);
    const staff = await db().select().from(persons).where(eq(persons.kind, 'staff'));
    expect(staff.map((p) => [p.externalId, p.status])).toEqual([['T1', 'active']]);
  });
});
