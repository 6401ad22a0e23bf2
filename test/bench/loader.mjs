// The bench's HTTP load generator, in its own process (forked by support.ts's `load`), so the server under
// test has a core's worth of event loop to itself and the ratio compares servers, not the client's share.
// Receives one job over IPC and answers {statuses, errors, seconds, latency, sent}, then exits.
//
// - closed loop (`rate` unset): autocannon, `connections` kept-alive connections each posting its next body
//   as soon as the previous answer came back; throughput is `sent / seconds`.
// - open loop (`rate` set): one body every 1/rate s, on schedule whatever the answers do, each latency
//   measured from its scheduled time (so a stalled server cannot hide its queue: no coordinated omission).
//   autocannon's own `overallRate` hands each connection a per-second budget spent at the start of each
//   second, i.e. bursts of `rate` requests at once: what the open loop row is meant not to measure.
import http from 'node:http';
import autocannon from 'autocannon';

process.once('message', async (job) => {
  try {
    const cpuBefore = process.cpuUsage();
    const result = job.rate ? await openLoop(job) : await closedLoop(job);
    const cpu = process.cpuUsage(cpuBefore);
    process.send?.({ ...result, loaderCpuSeconds: (cpu.user + cpu.system) / 1e6 }, () => process.exit(0));
  } catch (error) {
    process.send?.({ failure: String(error?.stack ?? error) }, () => process.exit(1));
  }
});

/** Percentiles (ms) of a list of latencies. */
function summary(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
  const mean = sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length);
  return { p50: at(50), p90: at(90), p99: at(99), max: sorted.at(-1) ?? 0, mean };
}

async function closedLoop({ url, headers, bodies, amount, connections }) {
  let next = 0;
  const started = performance.now();
  const result = await autocannon({
    url,
    connections,
    pipelining: 1,
    amount,
    timeout: 60,
    requests: [
      {
        method: 'POST',
        headers,
        // Each request its own body (distinct update ids): a request is built only when it is sent.
        setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] }),
      },
    ],
  });
  const seconds = (performance.now() - started) / 1000;
  const statuses = {};
  for (const [status, { count }] of Object.entries(result.statusCodeStats ?? {})) statuses[status] = count;
  if (result.errors > 0) statuses.error = result.errors;
  if (result.timeouts > 0) statuses.timeout = result.timeouts;
  const { p50, p90, p99, max, mean } = result.latency;
  return { statuses, seconds, sent: next, latency: { p50, p90, p99, max, mean } };
}

async function openLoop({ url, headers, bodies, amount, rate }) {
  const target = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1024 });
  const statuses = {};
  const latencies = [];
  const interval = 1000 / rate;
  const post = (body, scheduled) =>
    new Promise((resolve) => {
      const payload = Buffer.from(body);
      const request = http.request(
        {
          agent,
          hostname: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          headers: { ...headers, 'content-length': payload.length },
        },
        (response) => {
          response.resume();
          response.on('end', () => {
            latencies.push(performance.now() - scheduled);
            statuses[response.statusCode] = (statuses[response.statusCode] ?? 0) + 1;
            resolve();
          });
        },
      );
      request.setTimeout(60_000, () => request.destroy(new Error('timeout')));
      request.on('error', () => {
        latencies.push(performance.now() - scheduled);
        statuses.error = (statuses.error ?? 0) + 1;
        resolve();
      });
      request.end(payload);
    });
  const started = performance.now();
  const inFlight = [];
  for (let i = 0; i < amount; i += 1) {
    const scheduled = started + i * interval;
    const wait = scheduled - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight.push(post(bodies[i % bodies.length], scheduled));
  }
  const sendSeconds = (performance.now() - started) / 1000;
  await Promise.all(inFlight);
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  // achievedRate: the arrivals a second the generator kept up (below `rate` means it fell behind).
  return {
    statuses,
    seconds,
    sent: amount,
    achievedRate: amount / sendSeconds,
    latency: summary(latencies),
  };
}
