import { type ChildProcess, spawn } from 'node:child_process';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { rowsOf } from '../../../src/db/client.js';
import { createTestDatabase, type TestDatabase, testDbKind } from '../../support/db.js';
import { FakeMaxApi, MODERATOR_PERMISSIONS } from '../../support/fake-max-api/index.js';
import { freePort, waitFor } from '../../support/net.js';

/** `npm start` as a child process on MAX, so that the test can SIGKILL it. */
class BotProcess {
  private child: ChildProcess | undefined;
  output = '';

  constructor(private readonly env: Record<string, string>) {}

  start(): void {
    this.child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { PATH: process.env.PATH ?? '', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-5000);
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
  }

  async kill(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }
}

/**
 * Issue 16: the deletion of a silenced member's message is recorded with the update, so a bot killed
 * before it is performed deletes the message after its restart. A real process, a real SIGKILL.
 */
describe.runIf(testDbKind() === 'postgres')('MAX emulated read-only survives a crash', () => {
  let api: FakeMaxApi;
  let db: TestDatabase;
  let bot: BotProcess | undefined;

  afterEach(async () => {
    await bot?.kill('SIGKILL');
    await api?.stop();
    await db?.drop();
  });

  it('a deletion recorded but not performed when the bot is killed is performed after the restart', async () => {
    api = new FakeMaxApi({ requestsPerSecond: false });
    await api.start();
    db = await createTestDatabase('postgres');
    const teacher = api.sim.createUser('Мария', 'Ивановна');
    const anna = api.sim.createUser('Анна', 'Петрова');
    const chat = api.sim.createChat('7Б', { owner: teacher, members: [anna], link: 'private' });
    api.sim.addBot(chat, { by: teacher, permissions: MODERATOR_PERMISSIONS });
    bot = new BotProcess({
      MAX_TOKEN: api.token,
      MAX_API_ROOT: api.baseUrl,
      DATABASE_URL: db.url as string,
      HTTP_PORT: String(await freePort()),
      LOG_LEVEL: 'error',
    });
    bot.start();
    const one = async (query: ReturnType<typeof sql>) =>
      rowsOf<Record<string, unknown>>(await db.database.db.execute(query))[0];
    const known = async () =>
      one(
        sql`select 1 as ok from accounts where platform = 'max' and platform_user_id = ${String(anna.user_id)}`,
      );
    api.sim.post(chat, anna, 'Здравствуйте!');
    await waitFor(async () => (await known()) !== undefined, `Анна known (${bot.output})`, 60_000);

    // A block in mute mode, applied, as the core records it.
    await db.database.db.execute(sql`
      insert into blocks (chat_id, account_id, mode, starts_at, ends_at, status, applied_at, created_at)
      select c.id, a.id, 'mute', now(), now() + interval '7 days', 'active', now(), now()
      from chats c join accounts a on a.platform = 'max' and a.platform_user_id = ${String(anna.user_id)}
      where c.platform = 'max' and c.platform_chat_id = ${String(chat.chatId)}`);

    // MAX refuses the deletion for now; the bot is killed while it waits to try again.
    api.fail('DELETE /messages', { kind: 'error', status: 503 }, { times: 10_000 });
    const mid = api.sim.post(chat, anna, 'Всё равно напишу');
    const row = () =>
      one(sql`select status, claimed_until from outbox
        where action->>'type' = 'delete' and action->>'messageId' = ${mid}`);
    await waitFor(
      async () => {
        const refused = api.inspect
          .callsTo('DELETE /messages')
          .some((call) => call.query.message_id === mid && call.status === 503);
        const recorded = await row();
        return refused && recorded?.status === 'pending' && recorded.claimed_until === null;
      },
      'the deletion recorded and refused once',
      30_000,
    );
    await bot.kill('SIGKILL');
    expect(api.inspect.message(mid)?.deleted).not.toBe(true);
    expect((await row())?.status).toBe('pending');

    api.clearFaults();
    bot.start();
    await waitFor(
      () => api.inspect.message(mid)?.deleted === true,
      `deleted after the restart (${bot.output})`,
      60_000,
    );
    await waitFor(async () => (await row())?.status === 'done', 'the deletion recorded as done');
  }, 180_000);
});
