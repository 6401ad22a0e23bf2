import { describe, expect, it } from 'vitest';
import { createRosterRepository } from '../../src/db/repos/roster.js';
import { type School, school } from '../support/roster.js';
import { classChat } from '../support/school.js';
import { sharedHarness } from '../support/shared-harness.js';
import { DashboardClient } from './client.js';

/** The school administrator's pages (issue 19): the roster, a person's data, chats asking to join. */
describe('dashboard for the school administrator', () => {
  const shared = sharedHarness(async (h) => {
    const s: School = await school(h);
    const client = new DashboardClient(h);
    const page = await client.get('/dashboard');
    const signed = await client.post('/dashboard/login', {
      _csrf: DashboardClient.csrfOf(page.text),
      token: s.token,
    });
    if (signed.status !== 303) throw new Error(`sign-in: ${signed.status}`);
    return { s, client };
  });

  it('lists whom to invite: students with no account in their class chats', async () => {
    const { client } = shared.state;
    const page = await client.get('/dashboard/roster');
    expect(page.status).toBe(200);
    const table = /<table class="uninvited">[\s\S]*?<\/table>/.exec(page.text)?.[0] ?? '';
    expect(table).toContain('S2');
    expect(table).toContain('S3');
    expect(table).not.toContain('Иван Петров');
    expect(table).not.toContain('G2');
  });

  it('exports a person’s data and erases it with an act, refusing the form without its token', async () => {
    const { client } = shared.state;
    const exported = await client.get('/dashboard/people/export?kind=student&id=S1');
    expect(exported.status).toBe(200);
    expect(exported.response.headers.get('content-disposition')).toContain('attachment');
    expect(JSON.parse(exported.text).records.persons[0]).toMatchObject({ external_id: 'S1' });
    const missing = await client.get('/dashboard/people/export?kind=student&id=S99');
    expect(missing.text).toContain('Такого человека нет');
    const page = await client.get('/dashboard/roster');
    expect(
      (await client.post('/dashboard/people/erase', { kind: 'student', id: 'S3', reason: 'заявление' }))
        .status,
    ).toBe(403);
    const short = await client.post('/dashboard/people/erase', {
      _csrf: DashboardClient.csrfOf(page.text),
      kind: 'student',
      id: 'S3',
      reason: 'x',
    });
    expect(short.text).toContain('Проверьте поля формы');
    const erased = await client.post('/dashboard/people/erase', {
      _csrf: DashboardClient.csrfOf(page.text),
      kind: 'student',
      id: 'S3',
      reason: 'заявление родителей от 30.11',
    });
    expect(erased.status).toBe(200);
    expect(erased.text).toMatch(/Данные удалены, составлен акт №\d+/);
  });

  it('confirms a chat’s request to join the school', async () => {
    const { h } = shared;
    const { client } = shared.state;
    const chat = await classChat(h, { title: '10А' });
    const code = await createRosterRepository(h.db.database.db).ensureSchoolCode(1);
    h.api.sendMessage(chat.chatId, chat.teacher, `/settings school ${code}`);
    await h.settle();
    const page = await client.get('/dashboard/attachments');
    expect(page.text).toContain('10А');
    const action = /action="(\/dashboard\/attachments\/\d+\/confirm)"/.exec(page.text)?.[1] ?? '';
    const done = await client.post(action, { _csrf: DashboardClient.csrfOf(page.text) });
    expect(done.status).toBe(303);
    expect((await client.get('/dashboard/attachments?done=confirmed')).text).toContain(
      'Чат присоединён к школе',
    );
    expect((await client.get('/dashboard/overview')).text).toContain('10А');
    const again = await client.post(action, { _csrf: DashboardClient.csrfOf(page.text) });
    expect(again.response.headers.get('location')).toBe('/dashboard/attachments?done=already');
  });

  it('shows a moderator neither the roster nor the requests (404)', async () => {
    const { h } = shared;
    const { s } = shared.state;
    h.api.privateMessage(s.teacher, '/dashboard');
    await h.settle();
    const { lastLink } = await import('./client.js');
    const moderator = new DashboardClient(h);
    await moderator.signInWith(lastLink(h, s.teacher.id));
    expect((await moderator.get('/dashboard/overview')).status).toBe(200);
    expect((await moderator.get('/dashboard/roster')).status).toBe(404);
    expect((await moderator.get('/dashboard/attachments')).status).toBe(404);
  });

  it('speaks English when asked, and Russian again', async () => {
    const { client } = shared.state;
    expect((await client.get('/dashboard/language/en')).status).toBe(303);
    const english = await client.get('/dashboard/overview');
    expect(english.text).toContain('<html lang="en">');
    expect(english.text).toContain('<h1>Overview</h1>');
    expect(english.text).toContain('Accepted the current rules');
    await client.get('/dashboard/language/ru');
    expect((await client.get('/dashboard/overview')).text).toContain('<h1>Обзор</h1>');
  });
});
