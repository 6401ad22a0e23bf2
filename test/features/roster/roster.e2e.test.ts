import { eq } from 'drizzle-orm';
import type { User } from 'telegraf/types';
import { afterEach, describe, expect, it } from 'vitest';
import { createRosterRepository } from '../../../src/db/repos/roster.js';
import { auditLog, chats, invitations, persons, removals, rosterEvents } from '../../../src/db/schema.js';
import { DAY, MINUTE } from '../../../src/lib/clock.js';
import { Harness } from '../../support/harness.js';
import { api, type School, school, schoolToken } from '../../support/roster.js';
import {
  botTexts,
  classChat,
  lastBotText,
  lastPrivateText,
  openPrivateChat,
  SENT_PRIVATELY,
} from '../../support/school.js';
import { sharedHarness } from '../../support/shared-harness.js';

function bannedIn(h: Harness, s: School, user: User): string[] {
  return Object.entries(s.chats)
    .filter(([, chatId]) => h.api.member(chatId, user).status === 'kicked')
    .map(([name]) => name)
    .sort();
}

const summaries = (h: Harness, chatId: number) =>
  botTexts(h, chatId).filter((text) => text.startsWith('По данным школы'));

async function anotherSchool(h: Harness, name: string) {
  const created = await createRosterRepository(h.db.database.db).createSchool(name, h.clock.now());
  return { id: created.id, token: await schoolToken(h, created.id) };
}

const departure = { events: [{ id: 'x', type: 'student.departed', studentId: 'S1' }] };

describe('4.13.8 roster departures: students, their families and departed staff leave the school’s chats', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('bans exactly the right accounts in the right chats, one summary per chat, and a repeat changes nothing', async () => {
    h = await Harness.start();
    const s = await school(h);
    await openPrivateChat(h, s.teacher);
    const push = await api(h, 'POST', '/api/v1/roster/events', {
      token: s.token,
      body: { events: [{ id: 'd1', type: 'student.departed', studentId: 'S1' }] },
    });
    expect(push).toEqual({
      status: 200,
      body: { applied: 1, duplicates: [], removals: 4, reinstated: 0, needsAttention: [] },
    });
    await h.settle();
    expect(bannedIn(h, s, s.people.ivan)).toEqual(['classChat']);
    expect(bannedIn(h, s, s.people.anna)).toEqual(['classChat', 'parents7']);
    expect(bannedIn(h, s, s.people.boris)).toEqual([]);
    expect(bannedIn(h, s, s.people.vera)).toEqual(['parents7']);
    expect(bannedIn(h, s, s.people.oleg)).toEqual([]);
    // The group reads a neutral count; the names go to the moderators privately.
    expect(summaries(h, s.chats.classChat)).toEqual([
      'По данным школы из чата удалены 2 участника (п. 4.13.8 положения: выбытие обучающегося или увольнение работника).',
    ]);
    expect(summaries(h, s.chats.parents7)).toEqual([expect.stringContaining('удалены 2 участника')]);
    expect(botTexts(h, s.teacher.id)).toEqual(
      expect.arrayContaining([
        'Чат «7Б»:\nПо данным школы из чата удалены: Иван Петров, Анна Петрова (п. 4.13.8 положения: выбытие обучающегося или увольнение работника).',
        expect.stringMatching(/^Чат «.+»:\nПо данным школы из чата удалены: Анна Петрова, Вера Козлова/),
      ]),
    );
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
      body: { applied: 0, duplicates: ['d1'], removals: 0, reinstated: 0, needsAttention: [] },
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

  it('keeps a removed parent out of the member count when Telegram redelivers her message from before', async () => {
    h = await Harness.start();
    const s = await school(h);
    // Anna writes; Telegram delivers her message, and its copy only much later (after the removal).
    h.api.duplicateUpdates({ rate: 1, seed: 1, hold: {} });
    h.api.sendMessage(s.chats.classChat, s.people.anna, 'Добрый вечер! Завтра Иван не придёт.');
    await h.settle();
    h.api.duplicateUpdates(null);
    await api(h, 'POST', '/api/v1/roster/events', { token: s.token, body: departure });
    await h.settle();
    expect(bannedIn(h, s, s.people.anna)).toEqual(['classChat', 'parents7']);
    expect(h.api.redeliverHeld()).toBe(1);
    await h.settle();

    // The director's statistics: the teacher and Oleg are left in 7Б; Anna's old message does not bring
    // her back into the count (nor into a vote's electorate, which is read from the same record).
    const stats = await api(h, 'GET', '/api/v1/stats', { token: s.token });
    const chats = stats.body.chats as Array<Record<string, unknown>>;
    expect(chats.find((chat) => chat.title === '7Б')).toMatchObject({
      members: 2,
      removals: { done: 2, pending: 0, failed: 0 },
    });
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
    expect(second.body).toEqual({ changes: 0, applied: 0, removals: 0, reinstated: 0, needsAttention: [] });
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

  it('lets a moderator link a member with /link', async () => {
    h = await Harness.start();
    const s = await school(h);
    const dima = h.api.createUser({ first_name: 'Дима' });
    h.api.addMember(s.chats.classChat, dima, { by: s.teacher });
    const message = h.api.sendMessage(s.chats.classChat, dima, 'Привет');
    await openPrivateChat(h, s.teacher);
    h.api.sendMessage(s.chats.classChat, s.teacher, '/link S2', { replyTo: message.message_id });
    await h.settle();
    expect(botTexts(h, s.chats.classChat).at(-1)).toBe(SENT_PRIVATELY('link'));
    expect(lastPrivateText(h, s.teacher)).toMatch(
      /^Чат «.+»:\nДима: аккаунт связан с записью школы — обучающийся S2\./,
    );
    await api(h, 'POST', '/api/v1/roster/events', {
      token: s.token,
      body: { events: [{ id: 'd', type: 'student.departed', studentId: 'S2' }] },
    });
    await h.settle();
    expect(h.api.member(s.chats.classChat, dima).status).toBe('kicked');
  });

  it('links with /link in a chat another replica attached to the school a moment ago', async () => {
    h = await Harness.start();
    const { chatId, teacher, parents } = await classChat(h);
    const [anna] = parents as [User];
    // This replica has the chat cached from before the school confirmed it; the confirmation was answered
    // by another replica, which wrote it to the shared database only.
    const hello = h.api.sendMessage(chatId, anna, 'Здравствуйте');
    await h.settle();
    const db = h.db.database.db;
    const roster = createRosterRepository(db);
    const created = await roster.createSchool('Школа №1', h.clock.now());
    const now = h.clock.now();
    await roster.insertPerson({
      schoolId: created.id,
      kind: 'guardian',
      externalId: 'G1',
      status: 'active',
      createdAt: now,
      updatedAt: now,
    });
    await db
      .update(chats)
      .set({ schoolId: created.id })
      .where(eq(chats.platformChatId, String(chatId)));
    await openPrivateChat(h, teacher);
    h.api.sendMessage(chatId, teacher, '/link guardian:G1', { replyTo: hello.message_id });
    await h.settle();
    expect(lastBotText(h, chatId)).toBe(SENT_PRIVATELY('link'));
    expect(lastPrivateText(h, teacher)).toBe(
      'Чат «7Б»:\nАнна Петрова: аккаунт связан с записью школы — родитель (законный представитель) G1.',
    );
  });
});

describe('4.13.8 roster API: a school’s token reaches only its own school, and requests are checked', () => {
  // One bot for these tests: each request is refused, or goes to a school made for it, so no test changes
  // what another looks at. The statistics come last, read after a third school's departure of its own S1.
  const shared = sharedHarness(async (h) => ({
    s: await school(h),
    other: await anotherSchool(h, 'Лицей №2'),
  }));

  it('refuses requests without a valid token (401)', async () => {
    const { h, state } = shared;
    expect((await api(h, 'POST', '/api/v1/roster/events', { body: departure })).status).toBe(401);
    expect(
      (
        await api(h, 'POST', '/api/v1/roster/events', {
          token: 'ccm_1_wrongwrongwrongwrongwrong',
          body: departure,
        })
      ).status,
    ).toBe(401);
    expect(
      (await api(h, 'POST', '/api/v1/roster/events', { token: `${state.s.token}x`, body: departure })).status,
    ).toBe(401);
    expect((await api(h, 'GET', '/api/v1/stats', { token: 'nonsense' })).status).toBe(401);
  });

  it('refuses a departure of this school’s student sent with another school’s token', async () => {
    const { h, state } = shared;
    const foreign = await api(h, 'POST', '/api/v1/roster/events', {
      token: state.other.token,
      body: departure,
    });
    expect(foreign.status).toBe(400);
    expect(foreign.body.problems).toEqual([
      { index: 0, id: 'x', problems: ['studentId "S1" is not a student of this school'] },
    ]);
  });

  it('shows another school’s token only that school’s statistics', async () => {
    const { h, state } = shared;
    const otherStats = await api(h, 'GET', '/api/v1/stats', { token: state.other.token });
    expect(otherStats.body).toEqual({ school: { id: state.other.id, name: 'Лицей №2' }, chats: [] });
  });

  it('refuses a body that is not valid JSON (400)', async () => {
    const { h, state } = shared;
    expect(
      (
        await api(h, 'POST', '/api/v1/roster/events', {
          token: state.s.token,
          raw: '{"events": [',
          contentType: 'application/json',
        })
      ).status,
    ).toBe(400);
  });

  it('refuses a body that is not JSON (415)', async () => {
    const { h, state } = shared;
    expect(
      (
        await api(h, 'POST', '/api/v1/roster/events', {
          token: state.s.token,
          raw: 'id,type',
          contentType: 'text/csv',
        })
      ).status,
    ).toBe(415);
  });

  it('refuses a body over the size limit (413)', async () => {
    const { h, state } = shared;
    const huge = JSON.stringify({
      events: [{ id: 'h', type: 'staff.hired', staffId: 'T9', name: 'x'.repeat(2 * 1024 * 1024) }],
    });
    expect((await api(h, 'POST', '/api/v1/roster/events', { token: state.s.token, raw: huge })).status).toBe(
      413,
    );
  });

  it('treats the same student id in another school as another person, so its departure removes nobody here', async () => {
    const { h, state } = shared;
    const third = await anotherSchool(h, 'Гимназия №3');
    await api(h, 'POST', '/api/v1/roster/events', {
      token: third.token,
      body: {
        events: [
          { id: 'o1', type: 'student.enrolled', studentId: 'S1', classCode: '1А' },
          { id: 'o2', type: 'student.departed', studentId: 'S1' },
        ],
      },
    });
    await h.settle();
    expect(bannedIn(h, state.s, state.s.people.ivan)).toEqual([]);
    const ivan = await h.db.database.db.select().from(persons).where(eq(persons.externalId, 'S1'));
    expect(ivan.map((p) => [p.schoolId, p.status]).sort()).toEqual([
      [1, 'active'],
      [third.id, 'departed'],
    ]);
  });

  it('reports each of the school’s chats with its class, kind, members and removals (none here)', async () => {
    const { h, state } = shared;
    const stats = await api(h, 'GET', '/api/v1/stats', { token: state.s.token });
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
});

/** A personal invitation for guardian G2 (children S1 and S2, both in 7Б), as the school asks for it. */
async function invitationForG2(h: Harness, s: School) {
  const invite = await api(h, 'POST', '/api/v1/invitations', {
    token: s.token,
    body: { kind: 'guardian', id: 'G2' },
  });
  return { invite, code: String(invite.body.code) };
}

/** Galina opens the invitation: `/start <code>` in a private chat with the bot. */
async function claimedByGalina(h: Harness, s: School) {
  const { invite, code } = await invitationForG2(h, s);
  const galina = h.api.createUser({ first_name: 'Галина', last_name: 'Смирнова' });
  h.api.privateMessage(galina, `/start ${code}`);
  await h.settle();
  const texts = h.api
    .messages(galina.id)
    .filter((m) => m.fromBot)
    .map((m) => m.text ?? '');
  const links = texts.filter((text) => text.startsWith('Чат «'));
  const url = /https:\/\/t\.me\/\+\S+/.exec(links.find((text) => text.includes('родители')) ?? '')?.[0] ?? '';
  return { s, invite, code, galina, texts, links, url };
}

/**
 * Galina's invitation is claimed and used, someone else tries it too, an invitation for T1 is made and
 * nobody claims it; 15 days later the expiry job runs.
 */
async function fifteenDaysLater(h: Harness, s: School) {
  const claimed = await claimedByGalina(h, s);
  h.api.requestJoin(s.chats.parents7, claimed.galina, claimed.url);
  await h.settle();
  h.api.privateMessage(h.api.createUser({ first_name: 'Чужой' }), `/start ${claimed.code}`);
  await h.settle();
  const unclaimed = await api(h, 'POST', '/api/v1/invitations', {
    token: s.token,
    body: { kind: 'staff', id: 'T1' },
  });
  await h.advance(15 * DAY);
  await h.app.jobs.run('expire-invitations');
  await h.settle();
  return { ...claimed, unclaimedCode: String(unclaimed.body.code) };
}

describe('4.11.2 invitations: a personal invitation links an account and brings the person to their chats', () => {
  describe('when the school asks for one', () => {
    const shared = sharedHarness(async (h) => {
      const s = await school(h);
      return { s, ...(await invitationForG2(h, s)) };
    });

    it('answers 201 with a short URL-safe code and a t.me link that opens the bot with it', () => {
      const { invite, code } = shared.state;
      expect(invite.status).toBe(201);
      expect(code.length).toBeLessThanOrEqual(64);
      expect(code).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(invite.body.link).toBe(`https://t.me/class_moderator_bot?start=${code}`);
    });

    it('answers 404 for someone who is not in the roster', async () => {
      const { h, state } = shared;
      expect(
        (
          await api(h, 'POST', '/api/v1/invitations', {
            token: state.s.token,
            body: { kind: 'staff', id: 'T404' },
          })
        ).status,
      ).toBe(404);
    });
  });

  describe('when the person opens it with /start <code>', () => {
    const shared = sharedHarness(async (h) => claimedByGalina(h, await school(h)));

    it('tells the person their account is now linked to the school’s record, and in which role', () => {
      expect(shared.state.texts[0]).toContain(
        'Ваш аккаунт связан с записью школы (родитель (законный представитель))',
      );
    });

    it('sends a link to each of the person’s chats', () => {
      const { links } = shared.state;
      expect(links.map((text) => text.split(':')[0]).sort()).toEqual(['Чат «7Б — родители»', 'Чат «7Б»']);
    });

    it('makes each a join-request link, so the rules come before entry', () => {
      const { h, state } = shared;
      expect(
        h.api.inviteLinks(state.s.chats.parents7).find((link) => link.invite_link === state.url)
          ?.creates_join_request,
      ).toBe(true);
    });

    it('lets the person into the chat through their link', async () => {
      const { h, state } = shared;
      h.api.requestJoin(state.s.chats.parents7, state.galina, state.url);
      await h.settle();
      expect(h.api.member(state.s.chats.parents7, state.galina).status).toBe('member');
    });

    it('does not let anyone else claim it again', async () => {
      const { h, state } = shared;
      const stranger = h.api.createUser({ first_name: 'Чужой' });
      h.api.privateMessage(stranger, `/start ${state.code}`);
      await h.settle();
      expect(h.api.botMessages(state.galina.id).length).toBeGreaterThan(0);
      expect(h.api.lastBotMessage(stranger.id)?.text).toBe('Это приглашение уже использовано.');
    });
  });

  describe('when 15 days have passed (invite_days is 14)', () => {
    const shared = sharedHarness(async (h) => fifteenDaysLater(h, await school(h)));

    it('revokes an invitation nobody claimed', async () => {
      const { h, state } = shared;
      const [row] = await h.db.database.db
        .select()
        .from(invitations)
        .where(eq(invitations.code, state.unclaimedCode));
      expect(row?.revokedAt).not.toBeNull();
    });

    it('tells whoever comes with it now that it has expired', async () => {
      const { h, state } = shared;
      const late = h.api.createUser({ first_name: 'Опоздавший' });
      h.api.privateMessage(late, `/start ${state.unclaimedCode}`);
      await h.settle();
      expect(h.api.lastBotMessage(late.id)?.text).toBe(
        'Срок действия приглашения истёк. Попросите новое у классного руководителя.',
      );
      await h.advance(MINUTE);
    });

    it('revokes the personal join links past their date', () => {
      const { h, state } = shared;
      expect(
        h.api.inviteLinks(state.s.chats.parents7).find((link) => link.invite_link === state.url)?.is_revoked,
      ).toBe(true);
    });
  });
});
