import type { Language, PersonalDataConfig } from '../config.js';
import type { Database } from '../db/client.js';
import { createBlocksRepository } from '../db/repos/blocks.js';
import { ensureDefaultSchool } from '../db/repos/chats.js';
import { outboxDepth } from '../db/repos/outbox.js';
import { createRosterRepository } from '../db/repos/roster.js';
import { createVotesRepository } from '../db/repos/votes.js';
import { assistanceButtons, assistanceJobs } from '../features/assistance/index.js';
import { blockOutcomes, blocksJobs } from '../features/blocks/index.js';
import { chatAdminCommands, commandMenus } from '../features/chat-admin/index.js';
import { dashboardCommand, pruneDashboardSessions } from '../features/dashboard/index.js';
import { myDataCommand, personalDataJobs, privacyCommand } from '../features/personal-data/index.js';
import {
  closeVotesAsMoot,
  reinstatementButtons,
  reinstatementCommands,
  reinstatementJobs,
  reinstatementOutcomes,
} from '../features/reinstatement/index.js';
import { outboxEvents, reportsCommands } from '../features/reports/index.js';
import { rosterCommands, rosterJobs, rosterOutcomes } from '../features/roster/index.js';
import { rulesCommand, setRulesCommand } from '../features/rules/commands.js';
import {
  rulesGateButtons,
  rulesGateCommands,
  rulesGateJobs,
  rulesGateOutcomes,
} from '../features/rules-gate/index.js';
import { strikesCommands } from '../features/strikes/index.js';
import { Texts } from '../i18n/index.js';
import { type JobSpec, Scheduler } from '../jobs/scheduler.js';
import { type Clock, systemClock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { Messenger, Platform } from '../messenger/port.js';
import { type PacingLimits, SharedPacer, TELEGRAM_LIMITS } from '../outbox/pacer.js';
import { OutboxWorker, type OutboxWorkerOptions, type OutcomeHandlers } from '../outbox/worker.js';
import type { CommandSpec } from '../runtime/commands.js';
import { gaugeFrom, labelledFrom } from '../runtime/metrics.js';
import { privacyOutcomes } from '../runtime/privately.js';
import { Services } from '../runtime/services.js';
import { buttonRouter } from './buttons.js';
import { Dispatcher } from './dispatcher.js';
import { pruneProcessedUpdates } from './housekeeping.js';

export interface AppOptions {
  database: Database;
  messengers: Messenger[];
  log: Logger;
  clock?: Clock;
  defaultLanguage: Language;
  timeZone: string;
  personalData?: PersonalDataConfig;
  /** The dashboard's public address, once known (`PUBLIC_URL`, or the HTTP port's). */
  publicUrl?: () => string | undefined;
  /** How often the due-work jobs run; every minute by default. */
  jobsIntervalSeconds?: number;
  /** Telegram's message limits by default; null turns pacing off (tests of other things). */
  pacing?: PacingLimits | null;
  outbox?: Partial<
    Pick<OutboxWorkerOptions, 'pollMs' | 'backoffMs' | 'maxBackoffMs' | 'leaseMs' | 'concurrency'>
  >;
}

/**
 * The bot without its transport: the features' commands, buttons, outcome handlers and jobs, the
 * dispatcher and the outbox worker, wired together. The composition root (start.ts) and the tests both
 * build it; connectors feed it through `dispatcher.handle`.
 */
export class App {
  readonly services: Services;
  readonly dispatcher: Dispatcher;
  readonly outbox: OutboxWorker;
  readonly commands: readonly CommandSpec[];
  readonly jobs: Scheduler;
  private started = false;

  private constructor(options: AppOptions) {
    const clock = options.clock ?? systemClock;
    const messengers = new Map<Platform, Messenger>(options.messengers.map((m) => [m.platform, m]));
    let outbox: OutboxWorker | undefined;
    const services = new Services({
      db: options.database.db,
      clock,
      log: options.log,
      texts: new Texts(options.defaultLanguage),
      timeZone: options.timeZone,
      defaultLanguage: options.defaultLanguage,
      messengers,
      wakeOutbox: () => outbox?.wake(),
      ...(options.personalData ? { personalData: options.personalData } : {}),
      ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
    });
    this.services = services;

    const commands: CommandSpec[] = [];
    commands.push(
      ...chatAdminCommands(() => commands),
      rulesCommand,
      setRulesCommand,
      ...strikesCommands,
      ...reinstatementCommands,
      ...reportsCommands,
      ...rulesGateCommands,
      ...rosterCommands,
      myDataCommand,
      privacyCommand,
      dashboardCommand,
    );
    this.commands = commands;

    // Every outcome name has its handler: leaving one out does not compile.
    const handlers: OutcomeHandlers = {
      ...blockOutcomes(services, (work, lifted) => closeVotesAsMoot(services, work, lifted)),
      ...rulesGateOutcomes(services),
      ...reinstatementOutcomes(services),
      ...rosterOutcomes(services),
      ...privacyOutcomes(),
    };

    const everySeconds = options.jobsIntervalSeconds ?? 60;
    const due = { cron: cronEvery(everySeconds), everySeconds };
    const jobs: JobSpec[] = [
      ...blocksJobs(services, due),
      ...reinstatementJobs(services, due),
      ...rulesGateJobs(services, due),
      ...assistanceJobs(services, due),
      ...rosterJobs(services),
      ...personalDataJobs(services),
      {
        name: 'prune-dashboard-sessions',
        cron: '27 3 * * *',
        run: (now) => pruneDashboardSessions(services, now),
      },
      {
        name: 'prune-processed-updates',
        cron: '17 3 * * *',
        run: (now) => pruneProcessedUpdates(services, now),
      },
    ];
    this.jobs = new Scheduler(jobs, clock, options.log);
    this.dispatcher = new Dispatcher(
      services,
      commands,
      buttonRouter([...rulesGateButtons, ...reinstatementButtons, ...assistanceButtons]),
      messengers,
    );
    outbox = new OutboxWorker({
      db: options.database.db,
      clock,
      log: options.log,
      performers: messengers,
      handlers,
      pacer: new SharedPacer(
        options.database.db,
        options.pacing === undefined ? TELEGRAM_LIMITS : options.pacing,
      ),
      events: outboxEvents(services),
      ...options.outbox,
    });
    this.outbox = outbox;
    this.registerMetrics();
  }

  static async create(options: AppOptions): Promise<App> {
    // A first school, so an administrator has one to give a token and chats have one to ask to join.
    const schoolId = await ensureDefaultSchool(options.database.db, 'School');
    await createRosterRepository(options.database.db).ensureSchoolCode(schoolId);
    return new App(options);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.outbox.start();
    this.jobs.start();
  }

  /** Stops taking work and lets what is running finish. */
  async stop(): Promise<void> {
    await this.jobs.stop();
    await this.dispatcher.idle();
    await this.outbox.stop();
    this.started = false;
  }

  /** Registers the "/" menus (members', moderators', private) in every language, once per start. */
  async registerCommandMenus(): Promise<void> {
    const { texts } = this.services;
    for (const messenger of this.services.deps.messengers.values()) {
      for (const language of ['ru', 'en'] as const) {
        await messenger.setCommandMenus({ language, ...commandMenus(texts.t(language), this.commands) });
      }
      await messenger.setCommandMenus(commandMenus(texts.t(texts.defaultLanguage), this.commands));
    }
  }

  /** /metrics in Prometheus's text format. */
  metricsText(): Promise<string> {
    return this.services.metrics.registry.metrics();
  }

  /** Gauges read from the database when Prometheus scrapes, and the jobs' runs and durations. */
  private registerMetrics(): void {
    const { metrics, db, clock } = this.services;
    gaugeFrom(metrics, 'ccm_outbox_pending', 'Platform actions waiting in the outbox.', async () => {
      return (await outboxDepth(db, clock.now())).pending;
    });
    gaugeFrom(metrics, 'ccm_outbox_oldest_age_seconds', 'Age of the oldest waiting action.', async () => {
      return (await outboxDepth(db, clock.now())).oldestAgeSeconds;
    });
    gaugeFrom(metrics, 'ccm_blocks_active', 'Members blocked now.', () =>
      createBlocksRepository(db).countLive(),
    );
    gaugeFrom(metrics, 'ccm_votes_open', 'Reinstatement votes open now.', () =>
      createVotesRepository(db).countOpen(),
    );
    const stats = this.jobs.stats;
    const perJob = (read: (job: NonNullable<ReturnType<typeof stats.get>>) => number) => () =>
      [...stats].map(([job, value]) => [job, read(value)] as [string, number]);
    const job = (name: string, help: string, type: 'gauge' | 'counter', read: Parameters<typeof perJob>[0]) =>
      labelledFrom(metrics, { name, help, label: 'job', type }, perJob(read));
    job('ccm_job_runs_total', 'Runs of each scheduled job in this process.', 'counter', (s) => s.runs);
    job('ccm_job_failures_total', 'Failed runs of each scheduled job.', 'counter', (s) => s.failures);
    job(
      'ccm_job_items_total',
      'Pieces of work each job did (blocks lifted, votes closed, ...).',
      'counter',
      (s) => s.items,
    );
    job(
      'ccm_job_duration_seconds_sum',
      'Total run time of each job.',
      'counter',
      (s) => s.totalDurationMs / 1000,
    );
    job(
      'ccm_job_last_duration_seconds',
      'Run time of the last run of each job.',
      'gauge',
      (s) => s.lastDurationMs / 1000,
    );
  }

  /** Resolves when no event is being handled and no due action is waiting (tests use it). */
  async settled(): Promise<void> {
    for (let round = 0; round < 3; round += 1) {
      await this.dispatcher.idle();
      await this.outbox.idle();
    }
    await this.dispatcher.idle();
  }
}

/** A cron expression for "every n seconds" (whole minutes from 60 on). */
export function cronEvery(seconds: number): string {
  if (seconds < 60) return `*/${Math.max(1, Math.round(seconds))} * * * * *`;
  const minutes = Math.max(1, Math.round(seconds / 60));
  return minutes === 1 ? '* * * * *' : `*/${minutes} * * * *`;
}
