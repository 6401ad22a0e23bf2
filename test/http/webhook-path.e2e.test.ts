import { afterEach, describe, expect, it } from 'vitest';
import { HttpServer } from '../../src/http/server.js';
import { silentLogger } from '../../src/lib/logger.js';

// The platforms' webhooks are served straight from Node's request (src/http/raw-inbound.ts), not through
// the framework: they must answer exactly as the framework's routes do.
describe('the webhook path answers as every other route does', () => {
  let http: HttpServer | undefined;
  afterEach(async () => {
    await http?.close(100);
    http = undefined;
  });

  async function serve(): Promise<{ url: string; bodies: string[] }> {
    const bodies: string[] = [];
    http = new HttpServer(silentLogger);
    http.inbound({
      method: 'POST',
      path: '/hook',
      authorize: (headers) => headers['x-secret'] === 'right',
      handle: async (request) => {
        bodies.push(request.body);
        return { status: 200, body: 'ok' };
      },
    });
    const port = await http.listen(0, '127.0.0.1');
    return { url: `http://127.0.0.1:${port}/hook`, bodies };
  }

  it('hands the body to the route and answers with the security headers and no-store', async () => {
    const { url, bodies } = await serve();
    const answer = await fetch(`${url}?x=1`, {
      method: 'POST',
      headers: { 'x-secret': 'right' },
      body: JSON.stringify({ update_id: 1, text: 'Привет' }),
    });
    expect(answer.status).toBe(200);
    expect(await answer.text()).toBe('ok');
    expect(bodies).toEqual(['{"update_id":1,"text":"Привет"}']);
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    expect(answer.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.headers.get('strict-transport-security')).toBeNull();
    const overHttps = await fetch(url, {
      method: 'POST',
      headers: { 'x-secret': 'right', 'x-forwarded-proto': 'https' },
      body: '{}',
    });
    expect(overHttps.headers.get('strict-transport-security')).toBe('max-age=15552000');
  });

  it('refuses a wrong secret with 401 without reading the body, and the connection is closed', async () => {
    const { url, bodies } = await serve();
    const answer = await fetch(url, {
      method: 'POST',
      headers: { 'x-secret': 'wrong' },
      body: 'x'.repeat(1000),
    });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('connection')).toBe('close');
    expect(answer.headers.get('x-frame-options')).toBe('DENY');
    expect(bodies).toEqual([]);
  });

  it('answers 413 to a declared body over 1 MB and to a chunked one once it passes 1 MB', async () => {
    const { url, bodies } = await serve();
    const declared = await fetch(url, {
      method: 'POST',
      headers: { 'x-secret': 'right' },
      body: 'x'.repeat(1024 * 1024 + 1),
    });
    expect(declared.status).toBe(413);
    expect(await declared.json()).toEqual({ error: 'request body too large' });
    const chunk = new TextEncoder().encode('y'.repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 40) controller.close();
        else {
          sent += 1;
          controller.enqueue(chunk);
        }
      },
    });
    const chunked = await fetch(url, {
      method: 'POST',
      headers: { 'x-secret': 'right' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(bodies).toEqual([]);
  });

  it('answers 405 to another method on the webhook’s path and 404 elsewhere', async () => {
    const { url } = await serve();
    expect((await fetch(url)).status).toBe(405);
    expect((await fetch(url.replace('/hook', '/nowhere'), { method: 'POST' })).status).toBe(404);
  });
});
