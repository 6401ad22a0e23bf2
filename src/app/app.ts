import type { Language } from '../config.js';
import type { Database } from '../db/client.js';
import { ensureDefaultSchool } from '../db/repos/chats.js';
import { createRosterRepository } from '../db/repos/roster.js';
import { blockOutcomeHandlers, liftDueBlocks } from '../features/blocks/blocks.js';
import { commandMenus, helpCommand, startCommand } from '../features/chat-admin/help.js';
import { delCommand, logCommand, reportCommand } from '../features/chat-admin/moderation-commands.js';
import { settingsCommand } from '../features/chat-admin/settings-command.js';
import {
  apologizeCommand,
  closeDueVotes,
  reinstatementOutcomeHandlers,
  renderPendingVotes,
  unblockCommand,
} from '../features/reinstatement/reinstatement.js';
import { outboxEvents, refreshGauges } from '../features/reports/failures.js';
import { expireInvitations, invitationOutcomeHandlers, linkCommand } from '../features/roster/invitations.js';
import { rosterOutcomeHandlers } from '../features/roster/roster.js';
import { rulesCommand, setRulesCommand } from '../features/rules/rules-commands.js';
import { expireJoinRequests, gateOutcomeHandlers } from '../features/rules-gate/gate.js';
import { inviteCommand, inviteOutcomeHandlers, statsCommand } from '../features/rules-gate/invite-command.js';
import { strikeCommand, strikesCommand, unstrikeCommand } from '../features/strikes/commands.js';
import { Texts } from '../i18n/index.js';
import { type JobSpec, Scheduler } from '../jobs/scheduler.js';
import type { Clock } from '../lib/clock.js';
import { systemClock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { Messenger, Platform } from '../messenger/port.js';
import { OutboxWorker, type OutboxWorkerOptions, type OutcomeHandler } from '../outbox/outbox.js';
import { Pacer, type PacingLimits, TELEGRAM_LIMITS } from '../outbox/pacer.js';
import type { CommandSpec } from '../runtime/commands.js';
import { Core } from '../runtime/services.js';
import { Dispatcher } from './dispatcher.js';
import { pruneProcessedUpdates } from './housekeeping.js';

export interface AppOptions {
  database: Database;
  messengers: Messenger[];
  log: Logger;
  clock?: Clock;
  defaultLanguage: Language;
  timeZone: string;
  /** How often the due-work jobs run; every minute by default. */
  jobsIntervalSeconds?: number;
  /** Telegram's message limits by default; null turns pacing off (tests of other things). */
  pacing?: PacingLimits | null;
  outbox?: Partial<
    Pick<OutboxWorkerOptions, 'pollMs' | 'backoffMs' | 'maxBackoffMs' | 'leaseMs' | 'concurrency'>
  >;
}

/**
 * The bot without its transport: the core, its commands and the outbox worker, wired together. The
 * composition root (main.ts) and the tests both build it; connectors feed it through `dispatcher.handle`.
 */
export class App {
  readonly core: Core;
  readonly dispatcher: Dispatcher;
  readonly outbox: OutboxWorker;
  readonly commands: readonly CommandSpec[];
  readonly jobs: Scheduler;
  private started = false;

  private constructor(options: AppOptions, defaultSchoolId: number) {
    const clock = options.clock ?? systemClock;
    const messengers = new Map<Platform, Messenger>(options.messengers.map((m) => [m.platform, m]));
    const handlers = new Map<string, OutcomeHandler>();
    let outbox: OutboxWorker | undefined;
    this.core = new Core({
      db: options.database.db,
      clock,
      log: options.log,
      texts: new Texts(options.defaultLanguage),
      timeZone: options.timeZone,
      defaultLanguage: options.defaultLanguage,
      messengers,
      wakeOutbox: () => outbox?.wake(),
      defaultSchoolId,
    });
    const commands: CommandSpec[] = [];
    commands.push(
      helpCommand(() => commands),
      startCommand,
      rulesCommand,
      strikesCommand,
      reportCommand,
      apologizeCommand,
      setRulesCommand,
      strikeCommand,
      unstrikeCommand,
      delCommand,
      logCommand,
      unblockCommand,
      linkCommand,
      inviteCommand,
      statsCommand,
      settingsCommand,
    );
    for (const group of [
      blockOutcomeHandlers(this.core),
      gateOutcomeHandlers(this.core),
      inviteOutcomeHandlers(this.core),
      reinstatementOutcomeHandlers(this.core),
      rosterOutcomeHandlers(this.core),
      invitationOutcomeHandlers(this.core),
    ]) {
      for (const [name, handler] of group) handlers.set(name, handler);
    }
    const core = this.core;
    const everySeconds = options.jobsIntervalSeconds ?? 60;
    const due = cronEvery(everySeconds);
    const jobs: JobSpec[] = [
      { name: 'lift-due-blocks', cron: due, everySeconds, runOnStart: true, run: () => liftDueBlocks(core) },
      { name: 'close-due-votes', cron: due, everySeconds, runOnStart: true, run: () => closeDueVotes(core) },
      { name: 'render-votes', cron: '* * * * *', everySeconds: 3, run: () => renderPendingVotes(core) },
      {
        name: 'expire-join-requests',
        cron: due,
        everySeconds,
        runOnStart: true,
        run: () => expireJoinRequests(core),
      },
      { name: 'expire-invitations', cron: '7 * * * *', runOnStart: true, run: () => expireInvitations(core) },
      { name: 'prune-processed-updates', cron: '17 3 * * *', run: (now) => pruneProcessedUpdates(core, now) },
    ];
    this.jobs = new Scheduler(jobs, clock, options.log);
    this.commands = commands;
    this.dispatcher = new Dispatcher(this.core, commands);
    outbox = new OutboxWorker({
      db: options.database.db,
      clock,
      log: options.log,
      messengers,
      handlers,
      pacer: new Pacer(options.pacing === undefined ? TELEGRAM_LIMITS : options.pacing),
      events: outboxEvents(this.core),
      ...options.outbox,
    });
    this.outbox = outbox;
  }

  static async create(options: AppOptions): Promise<App> {
    const schoolId = await ensureDefaultSchool(options.database.db, 'School');
    await createRosterRepository(options.database.db).ensureSchoolCode(schoolId);
    return new App(options, schoolId);
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
    const { texts } = this.core;
    for (const messenger of this.core.deps.messengers.values()) {
      for (const language of ['ru', 'en'] as const) {
        await messenger.setCommandMenus({ language, ...commandMenus(texts.t(language), this.commands) });
      }
      await messenger.setCommandMenus(commandMenus(texts.t(texts.defaultLanguage), this.commands));
    }
  }

  /** /metrics: counters of this process, gauges from the database, and the jobs' runs and durations. */
  async metricsText(): Promise<string> {
    const { metrics } = this.core;
    await refreshGauges(this.core);
    for (const [job, stats] of this.jobs.stats) {
      metrics.set(
        'ccm_job_runs_total',
        'Runs of each scheduled job in this process.',
        stats.runs,
        { job },
        'counter',
      );
      metrics.set(
        'ccm_job_failures_total',
        'Failed runs of each scheduled job.',
        stats.failures,
        { job },
        'counter',
      );
      metrics.set(
        'ccm_job_items_total',
        'Pieces of work each job did (blocks lifted, votes closed, ...).',
        stats.items,
        { job },
        'counter',
      );
      metrics.set(
        'ccm_job_duration_seconds_sum',
        'Total run time of each job.',
        stats.totalDurationMs / 1000,
        { job },
        'counter',
      );
      metrics.set(
        'ccm_job_last_duration_seconds',
        'Run time of the last run of each job.',
        stats.lastDurationMs / 1000,
        {
          job,
        },
      );
    }
    return metrics.render();
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
