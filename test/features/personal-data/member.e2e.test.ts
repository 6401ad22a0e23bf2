import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from '../../support/harness.js';
import { api, type School, school } from '../../support/roster.js';

/** What a member sees of 152-ФЗ: their data as a file (/mydata) and the school's notice (/privacy). */
describe('personal data: /mydata and the privacy notice', () => {
  let h: Harness;
  let s: School;
  const NOTICE =
    'Оператор: МБОУ СОШ №1, ул. Школьная, 1. Цели: модерация чатов классов. Запросы: privacy@school1.ru';
  beforeAll(async () => {
    h = await Harness.start();
    s = await school(h);
  }, 60_000);
  afterAll(() => h.stop());

  it('sends a member everything stored about them as a JSON file in the private chat', async () => {
    h.api.privateMessage(s.people.anna, '/mydata');
    await h.settle();
    const [call] = h.api.callsTo('sendDocument').filter((c) => c.ok);
    expect(String(call?.params.chat_id)).toBe(String(s.people.anna.id));
    expect(String(call?.params['document.filename'])).toMatch(/^my-data-\d{4}-\d{2}-\d{2}\.json$/);
    const data = JSON.parse(String(call?.params['document.content'])) as {
      records: Record<string, Array<Record<string, unknown>>>;
    };
    expect(data.records.accounts?.[0]).toMatchObject({
      first_name: 'Анна',
      platform_user_id: String(s.people.anna.id),
    });
    expect(data.records.persons?.[0]).toMatchObject({
      kind: 'guardian',
      external_id: 'G1',
      name: 'Анна Петрова',
    });
    expect(h.api.lastBotMessage(s.people.anna.id)?.text).toContain('152-ФЗ');
  });

  it('answers /privacy with the bot’s own words until the school sets its notice, then with the notice', async () => {
    h.api.sendMessage(s.chats.parents7, s.people.boris, '/privacy');
    await h.settle();
    expect(h.api.lastBotMessage(s.chats.parents7)?.text).toContain('/mydata');
    const bad = await api(h, 'PUT', '/api/v1/privacy', { token: s.token, body: { text: 42 } });
    expect(bad.status).toBe(400);
    const set = await api(h, 'PUT', '/api/v1/privacy', { token: s.token, body: { text: NOTICE } });
    expect(set.status).toBe(200);
    expect((await api(h, 'GET', '/api/v1/privacy', { token: s.token })).body.text).toBe(NOTICE);
    h.api.sendMessage(s.chats.parents7, s.people.boris, '/privacy');
    await h.settle();
    expect(h.api.lastBotMessage(s.chats.parents7)?.text).toContain(NOTICE);
    h.api.privateMessage(s.people.vera, '/privacy');
    await h.settle();
    expect(h.api.lastBotMessage(s.people.vera.id)?.text).toContain(NOTICE);
  });

  it('shows the notice with the rules to a newcomer asking to join', async () => {
    const newcomer = h.api.createUser({ first_name: 'Глеб', last_name: 'Новиков' });
    h.api.sendMessage(s.chats.parents8, s.teacher, '/settings rules_gate on');
    await h.settle();
    h.api.sendMessage(s.chats.parents8, s.teacher, '/invite');
    await h.settle();
    const link = /https:\/\/t\.me\/\+\S+/.exec(h.api.lastBotMessage(s.chats.parents8)?.text ?? '')?.[0];
    expect(link).toBeDefined();
    h.api.requestJoin(s.chats.parents8, newcomer, link ?? '');
    await h.settle();
    const rules = h.api.lastBotMessage(newcomer.id)?.text ?? '';
    expect(rules).toContain(NOTICE);
  });

  it('shows the notice in full with the rules in the greeting of a newcomer added to the chat (issue 17)', async () => {
    const newcomer = h.api.createUser({ first_name: 'Дина', last_name: 'Новикова' });
    h.api.addMember(s.chats.parents8, newcomer, { by: s.teacher });
    await h.settle();
    const greeting = h.api
      .botMessages(s.chats.parents8)
      .find((m) => m.text?.startsWith('Добро пожаловать, Дина Новикова'));
    expect(greeting?.text).toContain(`\n\nОбработка персональных данных\n${NOTICE}`);
    expect(greeting?.text).not.toContain('/privacy');
    expect(greeting?.text?.indexOf(NOTICE)).toBeGreaterThan(greeting?.text?.indexOf('1. ') ?? Infinity);
  });

  it('points the greeting to /privacy when the notice would not fit in one message with the rules', async () => {
    const long = `${NOTICE} ${'Подробности обработки. '.repeat(150)}`.slice(0, 3500);
    expect((await api(h, 'PUT', '/api/v1/privacy', { token: s.token, body: { text: long } })).status).toBe(
      200,
    );
    const newcomer = h.api.createUser({ first_name: 'Ева', last_name: 'Новикова' });
    h.api.addMember(s.chats.parents8, newcomer, { by: s.teacher });
    await h.settle();
    const greeting = h.api.botMessages(s.chats.parents8).find((m) => m.text?.includes('Ева Новикова'));
    expect(greeting?.text).toMatch(/\n\nКак обрабатываются персональные данные: \/privacy$/);
    expect(greeting?.text).not.toContain(long);
  });
});
