import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import type { HttpEnv } from '../../src/http/context.js';
import { HttpServer } from '../../src/http/server.js';
import { silentLogger } from '../../src/lib/logger.js';
import { Harness } from '../support/harness.js';
import { schoolToken } from '../support/roster.js';

// Every answer of the bot's HTTP port carries the security headers, whichever part of it answers: a
// route, a refusal before the body is read, an unknown path, the webhook.

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; " +
  "base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

function securityHeaders(response: Response) {
  return {
    csp: response.headers.get('content-security-policy'),
    nosniff: response.headers.get('x-content-type-options'),
    referrer: response.headers.get('referrer-policy'),
    frames: response.headers.get('x-frame-options'),
    hsts: response.headers.get('strict-transport-security'),
  };
}

const expected = (hsts: string | null) => ({
  csp: CSP,
  nosniff: 'nosniff',
  referrer: 'no-referrer',
  frames: 'DENY',
  hsts,
});

describe('security headers on the bot’s HTTP port', () => {
  let h: Harness | undefined;
  let server: HttpServer | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
    await server?.close(0);
    server = undefined;
  });

  it('every kind of answer carries them; HSTS only for a request that came over https', async () => {
    h = await Harness.start();
    const base = `http://127.0.0.1:${h.bot.httpPort}`;
    const token = await schoolToken(h, 1);
    const auth = { authorization: `Bearer ${token}` };
    const answers = {
      health: await fetch(`${base}/healthz`),
      metrics: await fetch(`${base}/metrics`),
      api: await fetch(`${base}/api/v1/stats`, { headers: auth }),
      noToken: await fetch(`${base}/api/v1/stats`),
      notJson: await fetch(`${base}/api/v1/roster/events`, { method: 'POST', headers: auth, body: 'x' }),
      tooLarge: await fetch(`${base}/api/v1/invitations`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'student', id: 'x'.repeat(20_000) }),
      }),
      unknownPath: await fetch(`${base}/nowhere`),
      otherMethod: await fetch(`${base}/api/v1/stats`, { method: 'DELETE' }),
      reference: await fetch(`${base}/api/v1/docs`),
      document: await fetch(`${base}/api/v1/openapi.json`),
    };
    const statuses = Object.fromEntries(Object.entries(answers).map(([name, r]) => [name, r.status]));
    expect(statuses).toEqual({
      health: 200,
      metrics: 200,
      api: 200,
      noToken: 401,
      notJson: 415,
      tooLarge: 413,
      unknownPath: 404,
      otherMethod: 405,
      reference: 200,
      document: 200,
    });
    for (const [name, response] of Object.entries(answers)) {
      await response.body?.cancel();
      expect([name, securityHeaders(response)]).toEqual([name, expected(null)]);
    }
    // Behind a TLS proxy: the request came over https, so the answer says to keep to https.
    const proxied = await fetch(`${base}/healthz`, { headers: { 'x-forwarded-proto': 'https' } });
    expect(securityHeaders(proxied)).toEqual(expected('max-age=15552000'));
  });

  it('with an https public URL (the webhook’s) every answer carries HSTS, the webhook’s too', async () => {
    h = await Harness.start({
      env: {
        BOT_MODE: 'webhook',
        WEBHOOK_URL: 'https://example.invalid/telegram/hook',
        WEBHOOK_SECRET: 'hook_secret',
      },
    });
    const base = `http://127.0.0.1:${h.bot.httpPort}`;
    const hook = (secret: string) =>
      fetch(`${base}/telegram/hook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret },
        body: JSON.stringify({ update_id: 1 }),
      });
    const answers = [await fetch(`${base}/healthz`), await hook('hook_secret'), await hook('wrong')];
    expect(answers.map((response) => response.status)).toEqual([200, 200, 401]);
    for (const response of answers) expect(securityHeaders(response)).toEqual(expected('max-age=15552000'));
  });

  it('a route’s own header stays, and a failing route’s 500 carries them too', async () => {
    server = new HttpServer(silentLogger);
    const routes = new Hono<HttpEnv>();
    routes.get('/own', (c) => c.body('page', 200, { 'content-security-policy': "default-src 'none'" }));
    routes.get('/fails', () => {
      throw new Error('broken');
    });
    server.app.route('/', routes);
    const base = `http://127.0.0.1:${await server.listen(0, '127.0.0.1')}`;
    const own = await fetch(`${base}/own`);
    expect(securityHeaders(own)).toEqual({ ...expected(null), csp: "default-src 'none'" });
    const fails = await fetch(`${base}/fails`);
    expect(fails.status).toBe(500);
    expect(securityHeaders(fails)).toEqual(expected(null));
  });
});
