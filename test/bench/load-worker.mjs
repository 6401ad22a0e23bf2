// The load generator of the HTTP scenarios, in its own thread: the bot (or the bare telegraf bot) under
// test gets the main thread to itself, so a ratio compares the servers and not the client's share of one
// event loop. Receives {url, secret, bodies, concurrency, secretHeader?}; answers {durations, statuses, seconds}.
import { parentPort } from 'node:worker_threads';

parentPort?.on('message', async ({ url, secret, bodies, concurrency, secretHeader }) => {
  const durations = [];
  const statuses = {};
  let next = 0;
  const worker = async () => {
    for (;;) {
      const index = next++;
      if (index >= bodies.length) return;
      const started = performance.now();
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [secretHeader ?? 'x-telegram-bot-api-secret-token']: secret,
        },
        body: bodies[index],
      });
      await response.arrayBuffer();
      durations.push(performance.now() - started);
      statuses[response.status] = (statuses[response.status] ?? 0) + 1;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, bodies.length) }, worker));
  parentPort?.postMessage({ durations, statuses, seconds: (performance.now() - started) / 1000 });
});
