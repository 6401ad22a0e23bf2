import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningBot, startBot } from '../../../src/app/start.js';
import { loadConfig } from '../../../src/config.js';
import { AdjustableClock } from '../../../src/lib/clock.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { createTestDatabase, type TestDatabase } from '../../support/db.js';
import { FakeMaxApi, MODERATOR_PERMISSIONS } from '../../support/fake-max-api/index.js';
import { freePort, waitFor } from '../../support/net.js';

// Ordinary messages in a MAX chat through the webhook (most of what a busy chat sends) cost the bot no MAX
// API call and no database write once it knows the chat and the sender; whatever changes state still
// answers 200 only once its effect is committed.

const SECRET = 'max_secret-ordinary';

let api: FakeMaxApi;
let db: TestDatabase;
let bot: RunningBot | undefined;

afterEach(async () => {
  await bot?.stop();
  bot = undefined;
  await api?.stop();
  await db?.drop();
});

/** The next transaction id the database would hand out: unchanged while nothing is written. */
async function nextTransactionId(): Promise<string> {
  const result = await db.database.db.execute(sql`select pg_snapshot_xmax(pg_current_snapshot())::text as x`);
  const rows = Array.isArray(result) ? result : (result as { rows: unknown[] }).rows;
  return (rows[0] as { x: string }).x;
}

describe('ordinary messages through the MAX webhook', () => {
  it('are answered 200 with no MAX API call and no database write once chat and sender are known', async () => {
    api = new FakeMaxApi({ requestsPerSecond: false });
    await api.start();
    db = await createTestDatabase();
    const port = await freePort();
    bot = await startBot(
      loadConfig({
        MAX_TOKEN: api.token,
        MAX_API_ROOT: api.baseUrl,
        HTTP_PORT: String(port),
        MAX_MODE: 'webhook',
        MAX_WEBHOOK_URL: `https://127.0.0.1:${port}/max/webhook`,
        MAX_SECRET: SECRET,
      }),
      silentLogger,
      { database: db.database, clock: new AdjustableClock(), pacing: null, pollTimeoutSeconds: 1 },
    );
    const teacher = api.sim.createUser('Мария', 'Иванова');
    const parent = api.sim.createUser('Анна', 'Петрова');
    const chat = api.sim.createChat('7Б', { owner: teacher, members: [parent], link: 'private' });
    api.sim.addBot(chat, { by: teacher, permissions: MODERATOR_PERMISSIONS });
    await waitFor(
      () => api.inspect.botMessages(chat.chatId).some((m) => (m.text ?? '').startsWith('Здравствуйте')),
      'the hello',
    );
    // Each writes once: the bot learns who they are.
    api.sim.post(chat, teacher, 'Добрый вечер');
    api.sim.post(chat, parent, 'Здравствуйте');
    await api.webhookIdle();
    await bot.app.settled();

    const calls = api.inspect.calls.length;
    const deliveries = api.inspect.webhookDeliveries.length;
    const transaction = await nextTransactionId();
    for (let i = 0; i < 10; i += 1) {
      api.sim.post(chat, i % 2 === 0 ? parent : teacher, `Когда собрание? ${i}`);
    }
    await api.webhookIdle();
    await bot.app.settled();

    const answered = api.inspect.webhookDeliveries.slice(deliveries);
    expect(answered.map((d) => d.status)).toEqual(Array(10).fill(200));
    expect(api.inspect.calls.slice(calls).map((call) => call.route)).toEqual([]);
    expect(await nextTransactionId()).toBe(transaction);

    // A command still goes through the database, and is answered 200 once its reply is queued.
    api.sim.post(chat, parent, '/rules');
    await api.webhookIdle();
    expect(api.inspect.webhookDeliveries.at(-1)?.status).toBe(200);
    expect(await nextTransactionId()).not.toBe(transaction);
    await waitFor(
      () => api.inspect.botMessages(chat.chatId).some((m) => (m.text ?? '').includes('Правила чата «7Б»')),
      'the answer to /rules',
    );
  });
});
