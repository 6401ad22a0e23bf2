import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from '../support/harness.js';
import { waitFor } from '../support/net.js';
import { holdUpload, slowLoris, upload } from '../support/raw-http.js';
import { schoolToken } from '../support/roster.js';

// The bot's HTTP port under hostile uploads: the real server, the real roster API, a test database.

const MB = 1024 * 1024;
const WRONG = 'ccm_1_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';

describe('the HTTP port under hostile uploads', () => {
  let h: Harness;
  let token: string;
  let port: number;

  beforeAll(async () => {
    h = await Harness.start({
      env: { HTTP_MAX_CONNECTIONS: '40' },
      http: { headersTimeoutMs: 1000, connectionsCheckingIntervalMs: 200 },
    });
    token = await schoolToken(h);
    port = h.bot.httpPort;
  });

  afterAll(async () => {
    await h?.stop();
  });

  const json = (t: string) => ({ authorization: `Bearer ${t}`, 'content-type': 'application/json' });

  async function bodyBytesReading(): Promise<number> {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith('ccm_http_body_bytes_reading '));
    return line ? Number(line.split(' ')[1]) : Number.NaN;
  }

  it('refuses a wrong token on a 4 MB body from the headers: 401 while the client is still sending, connection closed', async () => {
    // The client sends 64 KB of the 4 MB it declared and then waits: only a server that decides from
    // the headers can answer at all.
    const answer = await upload(port, {
      method: 'PUT',
      path: '/api/v1/roster',
      headers: json(WRONG),
      declaredLength: 4 * MB,
      send: 64 * 1024,
      timeoutMs: 5000,
    });
    expect(answer.status).toBe(401);
    expect(answer.headers['www-authenticate']).toBe('Bearer');
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(answer.body)).toEqual({
      error: 'a valid school token is required: Authorization: Bearer <token>',
    });
    expect(answer.sentWhenAnswered).toBeLessThan(4 * MB);
    expect(answer.closed).toBe(true);
  });

  it('answers 413 to a chunked upload (no Content-Length) as soon as it passes the limit', async () => {
    const answer = await upload(port, {
      method: 'POST',
      path: '/api/v1/roster/events',
      headers: json(token),
      send: 8 * MB,
      timeoutMs: 10_000,
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toEqual({ error: 'request body too large' });
    // The events limit is 1 MB: the answer comes long before the 8 MB are sent, and the connection closes.
    expect(answer.sentWhenAnswered).toBeLessThan(4 * MB);
    expect(answer.closed).toBe(true);
  });

  it('reads a chunked body within the limit whole', async () => {
    // About 100 KB in 16 KB pieces, as a client streaming its body would send it.
    const events = JSON.stringify({
      events: Array.from({ length: 250 }, (_, i) => ({
        id: `c${i}`,
        type: 'staff.hired',
        staffId: `T${100 + i}`,
        name: `Анна ${'Ивановна'.repeat(20)}`,
      })),
    });
    const bytes = new TextEncoder().encode(events);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < bytes.length; at += 16 * 1024)
          controller.enqueue(bytes.slice(at, at + 16 * 1024));
        controller.close();
      },
    });
    const response = await fetch(`http://127.0.0.1:${port}/api/v1/roster/events`, {
      method: 'POST',
      headers: json(token),
      body,
      duplex: 'half',
    } as RequestInit);
    const answer = await response.json();
    expect([response.status, answer]).toEqual([200, expect.objectContaining({ applied: 250 })]);
  });

  it('reads a body of declared length within the limit whole, from the request itself', async () => {
    // About 100 KB with its Content-Length: read straight from the Node request, not through a web stream.
    const events = JSON.stringify({
      events: Array.from({ length: 250 }, (_, i) => ({
        id: `d${i}`,
        type: 'staff.hired',
        staffId: `T${500 + i}`,
        name: `Анна ${'Ивановна'.repeat(20)}`,
      })),
    });
    const response = await fetch(`http://127.0.0.1:${port}/api/v1/roster/events`, {
      method: 'POST',
      headers: { ...json(token), 'content-length': String(Buffer.byteLength(events)) },
      body: events,
    });
    const answer = await response.json();
    expect([response.status, answer]).toEqual([200, expect.objectContaining({ applied: 250 })]);
  });

  it('answers 413 to a declared Content-Length over the limit before reading it', async () => {
    const answer = await upload(port, {
      method: 'PUT',
      path: '/api/v1/roster',
      headers: json(token),
      declaredLength: 5 * MB,
      send: 0,
      timeoutMs: 5000,
    });
    expect(answer.status).toBe(413);
    expect(answer.closed).toBe(true);
  });

  it('refuses bodies past the cap of all bodies being read at once with 503 and Retry-After', async () => {
    // Four 4 MB snapshots still arriving hold the whole 16 MB; a fifth must wait its turn.
    const holders = Array.from({ length: 4 }, () =>
      holdUpload(port, {
        method: 'PUT',
        path: '/api/v1/roster',
        headers: json(token),
        declaredLength: 4 * MB,
      }),
    );
    try {
      await waitFor(async () => (await bodyBytesReading()) === 16 * MB, 'four bodies being read', 10_000);
      const fifth = await upload(port, {
        method: 'PUT',
        path: '/api/v1/roster',
        headers: json(token),
        declaredLength: 4 * MB,
        send: 64 * 1024,
        timeoutMs: 5000,
      });
      expect(fifth.status).toBe(503);
      expect(Number(fifth.headers['retry-after'])).toBeGreaterThan(0);
      expect(JSON.parse(fifth.body)).toEqual({ error: expect.stringContaining('busy') });
      expect(fifth.closed).toBe(true);
    } finally {
      for (const holder of holders) holder.request.destroy();
    }
    // Their clients gone, the bodies are released and the API takes requests again.
    await waitFor(async () => (await bodyBytesReading()) === 0, 'the budget to be released', 10_000);
    const small = await fetch(`http://127.0.0.1:${port}/api/v1/roster/events`, {
      method: 'POST',
      headers: json(token),
      body: JSON.stringify({ events: [{ id: 'e1', type: 'staff.hired', staffId: 'T77', name: 'Ольга' }] }),
    });
    expect(small.status).toBe(200);
  });

  it('closes a slow-loris connection that never finishes its headers after headersTimeout', async () => {
    const kept = await slowLoris(port, { everyMs: 100, giveUpMs: 8000 });
    expect(kept).toBeLessThan(4000);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  });

  it('takes at most HTTP_MAX_CONNECTIONS connections at once', async () => {
    const sockets: net.Socket[] = [];
    try {
      for (let i = 0; i < 40; i += 1) {
        const socket = net.connect(port, '127.0.0.1');
        socket.on('error', () => {});
        await new Promise((resolve) => socket.once('connect', resolve));
        sockets.push(socket);
      }
      // The 41st is accepted by the kernel and closed by the server at once.
      const extra = net.connect(port, '127.0.0.1');
      extra.on('error', () => {});
      const closed = await new Promise<boolean>((resolve) => {
        extra.once('close', () => resolve(true));
        setTimeout(() => resolve(false), 3000);
      });
      expect(closed).toBe(true);
    } finally {
      for (const socket of sockets) socket.destroy();
    }
    await waitFor(
      async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.status === 200,
      'the server to take connections again',
    );
  });
});
