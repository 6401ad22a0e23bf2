import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningBot, startBot } from '../../../src/app/start.js';
import { loadConfig } from '../../../src/config.js';
import { AdjustableClock } from '../../../src/lib/clock.js';
import { createLogger } from '../../../src/lib/logger.js';
import { createTestDatabase, type TestDatabase } from '../../support/db.js';
import { FakeMaxApi, MODERATOR_PERMISSIONS, type WireUpdate } from '../../support/fake-max-api/index.js';
import { freePort, waitFor } from '../../support/net.js';

// What MAX may send that the bot cannot use (update types it does not know, missing fields, a press on a
// deleted message) is logged and skipped, and the bot goes on; a webhook update delivered again changes
// nothing.

const SECRET = 'max_secret-1';

let api: FakeMaxApi;
let db: TestDatabase;
let bot: RunningBot | undefined;
let logged = '';

afterEach(async () => {
  await bot?.stop();
  bot = undefined;
  await api?.stop();
  await db?.drop();
});

async function launch(env: Record<string, string> = {}): Promise<void> {
  api = new FakeMaxApi({ requestsPerSecond: false, webhook: { retryBaseMs: 20, retryMaxMs: 200 } });
  await api.start();
  db = await createTestDatabase();
  logged = '';
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logged += chunk.toString();
      done();
    },
  });
  bot = await startBot(
    loadConfig({ MAX_TOKEN: api.token, MAX_API_ROOT: api.baseUrl, HTTP_PORT: env.HTTP_PORT ?? '0', ...env }),
    createLogger('info', sink),
    {
      database: db.database,
      clock: new AdjustableClock(),
      pacing: null,
      pollTimeoutSeconds: 1,
      outbox: { backoffMs: 20, maxBackoffMs: 200, pollMs: 50 },
    },
  );
}

function classChat() {
  const teacher = api.sim.createUser('Мария', 'Иванова');
  const parent = api.sim.createUser('Анна', 'Петрова');
  const chat = api.sim.createChat('7Б', { owner: teacher, members: [parent], link: 'private' });
  api.sim.addBot(chat, { by: teacher, permissions: MODERATOR_PERMISSIONS });
  return { teacher, parent, chat };
}

const botTexts = (chatId: number) => api.inspect.botMessages(chatId).map((m) => m.text ?? '');

describe('bad input from MAX', () => {
  it('skips unknown update types, updates with missing fields and a press on a deleted message, and goes on', async () => {
    await launch();
    const { teacher, chat } = classChat();
    await waitFor(() => botTexts(chat.chatId).some((t) => t.startsWith('Здравствуйте')), 'the hello');
    api.sim.rawUpdate({ update_type: 'message_chat_created', chat: { chat_id: 1 } });
    api.sim.rawUpdate({ update_type: 'message_created', message: { body: {} } });
    api.sim.rawUpdate({ update_type: 'message_created' });
    api.sim.rawUpdate({ update_type: 'user_added', chat_id: chat.chatId });
    api.sim.rawUpdate({
      update_type: 'message_callback',
      callback: { callback_id: 'gone', payload: 'x', user: api.bot },
      message: null,
    });
    api.sim.rawUpdate({ update_type: 'message_callback', callback: 'not an object' });
    api.sim.post(chat, teacher, '/rules');
    await waitFor(
      () => botTexts(chat.chatId).some((t) => t.includes('Правила чата «7Б»')),
      'the answer to /rules',
    );
    await waitFor(() => api.inspect.pendingUpdates.length === 0, 'every update confirmed');
    expect(logged).toContain('skipping a MAX update the bot cannot read');
    expect(logged).toContain('"type":"message_created"');
    expect(logged).toContain('"type":"message_callback"');
    expect(logged).not.toMatch(/"level":(50|60)/);
  });

  it('a webhook update delivered again changes nothing; a body that is not JSON is skipped with 200', async () => {
    const port = await freePort();
    await launch({
      HTTP_PORT: String(port),
      MAX_MODE: 'webhook',
      MAX_WEBHOOK_URL: `https://127.0.0.1:${port}/max/webhook`,
      MAX_SECRET: SECRET,
    });
    const { teacher, parent, chat } = classChat();
    await waitFor(() => botTexts(chat.chatId).some((t) => t.startsWith('Здравствуйте')), 'the hello');
    const message = api.sim.post(chat, parent, 'Реклама пирогов');
    api.sim.post(chat, teacher, '/strike 1', { replyTo: message });
    await waitFor(() => botTexts(chat.chatId).some((t) => t.startsWith('Предупреждение')), 'the strike');
    await api.webhookIdle();
    const before = botTexts(chat.chatId).length;
    const strike = api.inspect.updates.find(
      (u: WireUpdate) =>
        u.update_type === 'message_created' &&
        (u.message as { body: { text: string } }).body.text === '/strike 1',
    );
    const post = (body: string, secret = SECRET) =>
      fetch(`http://127.0.0.1:${port}/max/webhook`, {
        method: 'POST',
        headers: { 'x-max-bot-api-secret': secret, 'content-type': 'application/json' },
        body,
      });
    for (let i = 0; i < 3; i += 1) expect((await post(JSON.stringify(strike))).status).toBe(200);
    expect((await post('{not json')).status).toBe(200);
    expect((await post(JSON.stringify({ update_type: 42 }))).status).toBe(200);
    expect((await post(JSON.stringify({ update_type: 'message_created', timestamp: 1 }))).status).toBe(200);
    expect((await post(JSON.stringify(strike), 'wrong-secret')).status).toBe(401);
    api.sim.post(chat, teacher, '/strikes');
    await waitFor(() => botTexts(chat.chatId).length > before, 'the answer to /strikes');
    await bot?.app.settled();
    // No second strike, no second reply: only the answer to /strikes is new.
    expect(botTexts(chat.chatId).filter((t) => t.startsWith('Предупреждение'))).toHaveLength(1);
    expect(botTexts(chat.chatId).length).toBe(before + 1);
    expect(logged).toContain('skipping a MAX webhook request that is not JSON');
    expect(logged).toContain('skipping a MAX update that is not shaped as one');
    expect(logged).toContain('skipping a MAX update the bot cannot read');
  });
});
