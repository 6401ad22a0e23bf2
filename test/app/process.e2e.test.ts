import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALLOWED_UPDATES } from '../../src/messenger/telegram/updates.js';
import { testDbKind } from '../support/db.js';
import { FakeBotApi } from '../support/fake-bot-api/index.js';
import { freePort, waitFor } from '../support/net.js';

// `npm start` as an administrator runs it: a separate process configured only by the environment.

interface Started {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
}

function start(env: Record<string, string>): Started {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exit = new Promise<number | null>((resolve) =>
    child.on('exit', (code, signal) => {
      if (signal) output += `\n[killed by ${signal}]`;
      resolve(code);
    }),
  );
  return { child, output: () => output, exit };
}

async function healthy(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/healthz`);
    return response.status === 200;
  } catch {
    return false;
  }
}

describe.runIf(testDbKind() === 'pglite')('npm start as a process', () => {
  let api: FakeBotApi;
  let dataDir: string;

  beforeAll(async () => {
    api = new FakeBotApi({ allowedUpdates: [...ALLOWED_UPDATES] });
    await api.start();
    dataDir = await mkdtemp(path.join(tmpdir(), 'ccm-process-'));
  });

  afterAll(async () => {
    await api.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it.each([
    [{ BOT_MODE: 'pull' }, "Configuration error: BOT_MODE must be 'polling' or 'webhook'"],
    [
      { DATABASE_URL: 'mysql://root@localhost/school' },
      'Configuration error: DATABASE_URL must be a PostgreSQL URL',
    ],
    [
      { BOT_TOKEN: '', NODE_ENV: 'production' },
      'Configuration error: BOT_TOKEN is required when NODE_ENV=production',
    ],
  ])('%j exits non-zero with one clear line', async (env, line) => {
    const started = start({
      BOT_TOKEN: '123:abc',
      TELEGRAM_API_ROOT: api.apiRoot,
      DATA_DIR: dataDir,
      ...env,
    });
    expect(await started.exit).toBe(1);
    expect(started.output().trim()).toBe(started.output().trim().split('\n')[0]);
    expect(started.output()).toContain(line);
  });

  it('never runs the sandbox on a VK token: it starts the VK bot (and says so when VK cannot be reached)', async () => {
    const started = start({
      VK_TOKEN: 'vk1.a.abcdefghijklmnop',
      VK_GROUP_ID: '1',
      VK_API_ROOT: `http://127.0.0.1:${await freePort()}/method`,
      DATA_DIR: dataDir,
      HTTP_PORT: String(await freePort()),
    });
    expect(await started.exit).toBe(1);
    expect(started.output()).toContain('VK error: could not reach the API at VK_API_ROOT');
    expect(started.output()).not.toContain('Sandbox');
  }, 60_000);

  it('runs in polling mode on the embedded database, keeps its rules across a restart, stops on SIGTERM', async () => {
    const teacher = api.createUser({ first_name: 'Мария' });
    const chat = api.createChat({ type: 'supergroup', title: '5А' });
    api.addMember(chat.id, teacher, { status: 'creator' });
    const port = await freePort();
    const env = {
      BOT_TOKEN: api.token,
      TELEGRAM_API_ROOT: api.apiRoot,
      DATA_DIR: dataDir,
      HTTP_PORT: String(port),
    };

    const first = start(env);
    // The first start creates the embedded database (initdb: seconds alone, more beside other test files).
    await waitFor(() => healthy(port), 'the bot to become healthy', 60_000);
    api.addBot(chat.id, { by: teacher, status: 'administrator', rights: { can_restrict_members: true } });
    api.sendMessage(chat.id, teacher, '/setrules\nТолько по делу\nБез рекламы');
    await waitFor(() => (api.lastBotMessage(chat.id)?.text ?? '').includes('редакция 2'), 'the new rules');
    first.child.kill('SIGTERM');
    const code = await first.exit;
    expect(code, first.output()).toBe(0);

    const second = start(env);
    await waitFor(() => healthy(port), 'the restarted bot');
    const before = api.botMessages(chat.id).length;
    api.sendMessage(chat.id, teacher, '/rules');
    await waitFor(() => api.botMessages(chat.id).length > before, 'the answer to /rules');
    expect(api.lastBotMessage(chat.id)?.text).toContain(
      'Правила чата «5А»:\n\n1. Только по делу\n2. Без рекламы',
    );
    second.child.kill('SIGTERM');
    const secondCode = await second.exit;
    expect(secondCode, second.output()).toBe(0);
  }, 90_000);

  it('waits out a Telegram outage at start-up, and still stops at once on SIGTERM', async () => {
    api.fail('getMe', { status: 502 }, { times: 10_000 });
    try {
      const started = start({
        BOT_TOKEN: api.token,
        TELEGRAM_API_ROOT: api.apiRoot,
        DATA_DIR: dataDir,
        HTTP_PORT: String(await freePort()),
      });
      // Past the five tries that used to end the start (0.5 + 1 + 2 + 4 s of pauses), it is still trying.
      await waitFor(() => started.output().includes('"attempt":5'), 'the fifth try', 30_000);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(started.output()).not.toContain('could not reach');
      const asked = Date.now();
      started.child.kill('SIGTERM');
      expect(await started.exit, started.output()).toBe(0);
      expect(Date.now() - asked).toBeLessThan(10_000);
      expect(started.output()).toContain('stopping without waiting');
    } finally {
      api.clearFaults();
    }
  }, 60_000);

  it('runs in webhook mode: Telegram is pointed at the webhook, which refuses a wrong secret', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/telegram/hook`;
    const started = start({
      BOT_TOKEN: api.token,
      TELEGRAM_API_ROOT: api.apiRoot,
      DATA_DIR: dataDir,
      HTTP_PORT: String(port),
      BOT_MODE: 'webhook',
      WEBHOOK_URL: url,
      WEBHOOK_SECRET: 'hook_secret-1',
    });
    await waitFor(() => healthy(port), 'the webhook bot');
    await waitFor(() => api.callsTo('setWebhook').length > 0, 'setWebhook');
    expect(api.callsTo('setWebhook').at(-1)?.params).toMatchObject({ url, secret_token: 'hook_secret-1' });
    expect(api.callsTo('setWebhook').at(-1)?.params.allowed_updates).toEqual(
      expect.arrayContaining(['chat_member']),
    );

    const wrong = await fetch(url, {
      method: 'POST',
      headers: { 'x-telegram-bot-api-secret-token': 'nope' },
      body: '{}',
    });
    expect(wrong.status).toBe(401);

    const teacher = api.createUser({ first_name: 'Ольга' });
    const chat = api.createChat({ type: 'supergroup', title: '6В' });
    api.addMember(chat.id, teacher, { status: 'creator' });
    api.addBot(chat.id, { by: teacher, status: 'administrator', rights: { can_restrict_members: true } });
    api.sendMessage(chat.id, teacher, '/rules');
    await waitFor(
      () => (api.lastBotMessage(chat.id)?.text ?? '').includes('Правила чата «6В»'),
      'rules by webhook',
    );
    started.child.kill('SIGTERM');
    expect(await started.exit).toBe(0);
  }, 90_000);
});
