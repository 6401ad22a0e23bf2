import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * What /metrics shows, on prom-client: our counters (Prometheus sums them across replicas), gauges read
 * from the database at scrape time, histograms of how long updates take and how long actions wait in
 * the outbox, and the process metrics prom-client collects (CPU, memory, event-loop lag, GC).
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'ccm_' });
  const registers = [registry];
  return {
    registry,
    updates: new Counter({
      name: 'ccm_updates_total',
      help: 'Updates handled, by kind.',
      labelNames: ['kind'] as const,
      registers,
    }),
    updateFailures: new Counter({
      name: 'ccm_update_failures_total',
      help: 'Updates whose handling failed (they are retried).',
      labelNames: ['kind'] as const,
      registers,
    }),
    duplicates: new Counter({
      name: 'ccm_updates_duplicate_total',
      help: 'Redelivered updates dropped.',
      registers,
    }),
    commands: new Counter({
      name: 'ccm_commands_total',
      help: 'Commands received, by name.',
      labelNames: ['command'] as const,
      registers,
    }),
    actions: new Counter({
      name: 'ccm_actions_total',
      help: 'Platform actions performed, by type and outcome.',
      labelNames: ['outcome', 'type'] as const,
      registers,
    }),
    updateSeconds: new Histogram({
      name: 'ccm_update_handling_seconds',
      help: 'Time to handle an update, from its arrival to its committed effect, by kind.',
      labelNames: ['kind'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    outboxDelaySeconds: new Histogram({
      name: 'ccm_outbox_delay_seconds',
      help: 'Time from deciding a platform action to its outcome (pacing and retries included), by type.',
      labelNames: ['type'] as const,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800],
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** A gauge whose value is read when Prometheus scrapes (from the database or another component). */
export function gaugeFrom(
  metrics: Metrics,
  name: string,
  help: string,
  read: () => number | Promise<number>,
): void {
  new Gauge({
    name,
    help,
    registers: [metrics.registry],
    async collect() {
      this.set(await read());
    },
  });
}

/**
 * Per-job (or other per-label) values kept by another component, read at scrape time: a counter is
 * reset and set to the component's running total, a gauge to its current value.
 */
export function labelledFrom(
  metrics: Metrics,
  spec: { name: string; help: string; label: string; type: 'gauge' | 'counter' },
  read: () => Iterable<[label: string, value: number]>,
): void {
  const options = {
    name: spec.name,
    help: spec.help,
    labelNames: [spec.label],
    registers: [metrics.registry],
  };
  if (spec.type === 'counter') {
    new Counter({
      ...options,
      collect() {
        this.reset();
        for (const [label, value] of read()) this.inc({ [spec.label]: label }, value);
      },
    });
  } else {
    new Gauge({
      ...options,
      collect() {
        this.reset();
        for (const [label, value] of read()) this.set({ [spec.label]: label }, value);
      },
    });
  }
}
