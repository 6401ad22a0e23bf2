// The load generator of the HTTP scenarios, in its own thread: the bot (or the bare telegraf bot) under
// test gets the main thread to itself, so a ratio compares the servers and not the client's share of one
// event loop. Receives {url, secret, bodies, concurrency, secretHeader?}; answers {durations, statuses, seconds}.
// Plain node:http over `concurrency` kept-alive connections: fetch (undici) cost about as much CPU per
// request as a bare bot's whole handling, so it, not the server, set the pace of the bare run.
import http from 'node:http';
import { parentPort } from 'node:worker_threads';

parentPort?.on('message', async ({ url, secret, bodies, concurrency, secretHeader }) => {
  const target = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const durations = [];
  const statuses = {};
  let next = 0;
  const post = (body) =>
    new Promise((resolve, reject) => {
      const payload = Buffer.from(body);
      const request = http.request(
        {
          agent,
          hostname: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'content-length': payload.length,
            [secretHeader ?? 'x-telegram-bot-api-secret-token']: secret,
          },
        },
        (response) => {
          response.on('data', () => {});
          response.on('end', () => resolve(response.statusCode));
          response.on('error', reject);
        },
      );
      request.on('error', reject);
      request.end(payload);
    });
  const worker = async () => {
    for (;;) {
      const index = next++;
      if (index >= bodies.length) return;
      const started = performance.now();
      const status = await post(bodies[index]).catch(() => 'error');
      durations.push(performance.now() - started);
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, bodies.length) }, worker));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  parentPort?.postMessage({ durations, statuses, seconds });
});
