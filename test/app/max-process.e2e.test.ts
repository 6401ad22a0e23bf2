import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testDbKind } from '../support/db.js';
import { FakeMaxApi, MODERATOR_PERMISSIONS } from '../support/fake-max-api/index.js';
import { freePort, waitFor } from '../support/net.js';

// `npm start` with MAX_TOKEN and MAX_API_ROOT at the fake MAX API: a separate process, configured only by
// the environment, serving a MAX chat end to end.

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
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exit };
}

async function healthy(port: number): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200;
  } catch {
    return false;
  }
}

describe.runIf(testDbKind() === 'pglite')('npm start on MAX', () => {
  let api: FakeMaxApi;
  let dataDir: string;
  let running: Started | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'ccm-max-process-'));
  });

  afterEach(async () => {
    if (running && running.child.exitCode === null) {
      running.child.kill('SIGTERM');
      await running.exit;
    }
    running = undefined;
    await api?.stop();
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  function classChat(title: string) {
    const teacher = api.sim.createUser('Мария', 'Иванова');
    const parent = api.sim.createUser('Анна', 'Петрова');
    const chat = api.sim.createChat(title, { owner: teacher, members: [parent], link: 'private' });
    api.sim.addBot(chat, { by: teacher, permissions: MODERATOR_PERMISSIONS });
    return { teacher, parent, chat };
  }

  const lastBotText = (chatId: number) => api.inspect.botMessages(chatId).at(-1)?.text ?? '';

  it('serves a chat by long polling: greets it, takes /setrules and /rules, stops on SIGTERM', async () => {
    api = new FakeMaxApi();
    await api.start();
    const port = await freePort();
    running = start({
      MAX_TOKEN: api.token,
      MAX_API_ROOT: api.baseUrl,
      DATA_DIR: path.join(dataDir, 'polling'),
      HTTP_PORT: String(port),
    });
    await waitFor(() => healthy(port), 'the MAX bot to become healthy', 120_000);
    expect(running.output()).not.toContain('Sandbox');
    const { teacher, chat } = classChat('5А');
    await waitFor(() => lastBotText(chat.chatId).startsWith('Здравствуйте'), 'the bot’s hello');
    api.sim.post(chat, teacher, '/setrules\nТолько по делу\nБез рекламы');
    await waitFor(() => lastBotText(chat.chatId).includes('редакция 2'), 'the new rules');
    api.sim.post(chat, teacher, '/rules');
    await waitFor(
      () => lastBotText(chat.chatId).includes('Правила чата «5А»:\n\n1. Только по делу\n2. Без рекламы'),
      'the answer to /rules',
    );
    running.child.kill('SIGTERM');
    expect(await running.exit, running.output()).toBe(0);
  }, 150_000);

  it('serves a chat by webhook: subscribes with the secret, refuses a wrong one, answers updates', async () => {
    api = new FakeMaxApi();
    await api.start();
    const port = await freePort();
    // The fake delivers https://127.0.0.1 over plain HTTP (in production a reverse proxy ends TLS on 443).
    const url = `https://127.0.0.1:${port}/max/webhook`;
    running = start({
      MAX_TOKEN: api.token,
      MAX_API_ROOT: api.baseUrl,
      MAX_MODE: 'webhook',
      MAX_WEBHOOK_URL: url,
      MAX_SECRET: 'max_secret-1',
      DATA_DIR: path.join(dataDir, 'webhook'),
      HTTP_PORT: String(port),
    });
    await waitFor(() => healthy(port), 'the MAX webhook bot', 120_000);
    await waitFor(() => api.inspect.callsTo('POST /subscriptions').length > 0, 'the subscription');
    expect(api.inspect.callsTo('POST /subscriptions').at(-1)?.body).toMatchObject({
      url,
      secret: 'max_secret-1',
    });
    const wrong = await fetch(`http://127.0.0.1:${port}/max/webhook`, {
      method: 'POST',
      headers: { 'x-max-bot-api-secret': 'nope' },
      body: '{}',
    });
    expect(wrong.status).toBe(401);
    const { teacher, chat } = classChat('6В');
    api.sim.post(chat, teacher, '/rules');
    await waitFor(() => lastBotText(chat.chatId).includes('Правила чата «6В»'), 'rules by webhook');
    running.child.kill('SIGTERM');
    expect(await running.exit, running.output()).toBe(0);
  }, 150_000);

  it('exits with one clear line when MAX_MODE=webhook lacks its URL', async () => {
    api = new FakeMaxApi();
    running = start({ MAX_TOKEN: 'max-test-token', MAX_MODE: 'webhook', DATA_DIR: dataDir });
    expect(await running.exit).toBe(1);
    expect(running.output()).toContain(
      'Configuration error: MAX_WEBHOOK_URL is required when MAX_MODE=webhook',
    );
  }, 60_000);
});
