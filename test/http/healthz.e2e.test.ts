import { afterEach, describe, expect, it, vi } from 'vitest';
import { Harness } from '../support/harness.js';
import { waitFor } from '../support/net.js';

// /healthz asks the platform only when no call succeeded lately; then many requests share one ask.

describe('/healthz on an idle bot', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    vi.useRealTimers();
    await h?.stop();
    h = undefined;
  });

  it('200 concurrent and repeated requests make at most a few getMe calls', async () => {
    // Webhook mode: nothing polls, so once a minute has passed without a call the bot is idle.
    h = await Harness.start({
      env: {
        BOT_MODE: 'webhook',
        WEBHOOK_URL: 'https://example.invalid/telegram/hook',
        WEBHOOK_SECRET: 'hook_secret',
      },
    });
    const url = `http://127.0.0.1:${h.bot.httpPort}/healthz`;
    expect((await fetch(url)).status).toBe(200);
    // Idle: the start-up calls (setWebhook, the command menus) are over and no call comes for a while.
    const api = h.api;
    let seen = -1;
    await waitFor(async () => {
      const now = api.calls.length;
      const quiet = now === seen;
      seen = now;
      if (!quiet) await new Promise((resolve) => setTimeout(resolve, 300));
      return quiet;
    }, 'the bot to be idle');
    // A minute and a bit later (only Date moves: timers and sockets run as usual).
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 61_000);
    // Telegram takes its time to answer (300 ms), as it may: requests keep coming meanwhile.
    h.api.fail('getMe', { timeoutMs: 300 }, { times: Number.POSITIVE_INFINITY });
    const before = h.api.callsTo('getMe').length;

    const burst = await Promise.all(Array.from({ length: 200 }, () => fetch(url)));
    expect(burst.map((response) => response.status)).toEqual(Array(200).fill(200));
    for (let i = 0; i < 20; i += 1) expect((await fetch(url)).status).toBe(200);

    expect(h.api.callsTo('getMe').length - before).toBeLessThanOrEqual(2);
  });
});
