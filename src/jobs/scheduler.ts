import cron, { type ScheduledTask } from 'node-cron';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';

/**
 * A scheduled job: a name, a cron expression and the use case it runs. Jobs claim their work through
 * the database, so every replica may run them; the scheduler only keeps one process from running the
 * same job twice at once.
 */
export interface JobSpec {
  name: string;
  /** node-cron expression; or `everySeconds` for an interval under a minute. */
  cron: string;
  /**
   * Runs every n seconds on a plain timer instead of node-cron (sub-minute intervals): node-cron replays
   * every missed slot after a clock jump one by one, which for a one-second schedule and a jump of a day
   * is 86,400 slots on the event loop.
   */
  everySeconds?: number;
  /** Also run once at start-up, to catch up on work that fell due while the bot was down. */
  runOnStart?: boolean;
  /** Does one round of the job; returns how many pieces of work it did. */
  run(now: Date): Promise<number>;
}

export interface JobStats {
  runs: number;
  failures: number;
  items: number;
  lastDurationMs: number;
  totalDurationMs: number;
}

export class Scheduler {
  private readonly tasks: ScheduledTask[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly running = new Map<string, Promise<number>>();
  private readonly specs = new Map<string, JobSpec>();
  readonly stats = new Map<string, JobStats>();
  private stopped = false;

  constructor(
    jobs: readonly JobSpec[],
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    for (const job of jobs) {
      this.specs.set(job.name, job);
      this.stats.set(job.name, { runs: 0, failures: 0, items: 0, lastDurationMs: 0, totalDurationMs: 0 });
    }
  }

  /** Schedules every job and starts the catch-up runs. */
  start(): void {
    this.stopped = false;
    for (const job of this.specs.values()) {
      if (job.everySeconds !== undefined && job.everySeconds < 60) {
        const timer = setInterval(() => void this.tick(job.name), job.everySeconds * 1000);
        timer.unref();
        this.timers.push(timer);
      } else {
        this.tasks.push(
          cron.schedule(job.cron, () => this.tick(job.name), { name: job.name, noOverlap: true }),
        );
      }
      if (job.runOnStart) void this.tick(job.name);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const task of this.tasks.splice(0)) await task.destroy();
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    await Promise.allSettled(this.running.values());
  }

  private async tick(name: string): Promise<void> {
    if (this.stopped || this.running.has(name)) return;
    await this.run(name).catch(() => {});
  }

  /**
   * Runs a job now and resolves with how many items it handled. If a round is already running, waits
   * for it and then runs another, so a caller always sees a round that started after its call.
   */
  async run(name: string): Promise<number> {
    const job = this.specs.get(name);
    if (!job) throw new Error(`no job named ${name}`);
    const current = this.running.get(name);
    if (current) await current.catch(() => 0);
    const started = performance.now();
    const round = job.run(this.clock.now());
    this.running.set(name, round);
    const stats = this.stats.get(name);
    try {
      const items = await round;
      if (stats) stats.items += items;
      return items;
    } catch (error) {
      if (stats) stats.failures += 1;
      this.log.error({ err: error, job: name }, 'job failed; its work stays due');
      throw error;
    } finally {
      if (this.running.get(name) === round) this.running.delete(name);
      if (stats) {
        const duration = performance.now() - started;
        stats.runs += 1;
        stats.lastDurationMs = duration;
        stats.totalDurationMs += duration;
      }
    }
  }
}
