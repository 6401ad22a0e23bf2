import { createRetentionRepository, type RetentionDefaults } from '../../db/repos/retention.js';
import type { JobSpec } from '../../jobs/scheduler.js';
import type { Services } from '../../runtime/services.js';
import { hashedRosterId } from './subject.js';

/** Rows per transaction: small enough to hold locks briefly, large enough for 100,000 rows in seconds. */
export const RETENTION_BATCH = 1000;
/** Performed platform actions (messages name people) are kept this long for troubleshooting. */
const PERFORMED_ACTIONS_DAYS = 30;

/** What one retention run erased, by step. */
export interface RetentionReport {
  strikes: number;
  blocks: number;
  reinstatements: number;
  departed: number;
  audit: number;
  actions: number;
  /** Erased accounts whose platform id nothing needs any more (their block was lifted). */
  accounts: number;
}

/**
 * Erases what has outlived its purpose (152-ФЗ art. 5 part 7), per school with the defaults for chats of
 * no school: strikes and blocks a strike period after they ended, apologies and ballots once their block
 * ended, departed people's names after the departed period (a keyed hash of the roster id and the removal
 * list stay), and names and free text in audit entries past the audit period. Each batch is its own
 * transaction claiming rows with SKIP LOCKED, so replicas share the work and a stopped run resumes.
 */
export async function runRetention(services: Services, now: Date): Promise<RetentionReport> {
  const defaults: RetentionDefaults = services.personalData;
  const key = services.personalData.key;
  const batches = async (step: (repo: ReturnType<typeof createRetentionRepository>) => Promise<number>) => {
    let total = 0;
    for (;;) {
      const done = await services.transact((work) => step(createRetentionRepository(work.tx)));
      total += done;
      if (done < RETENTION_BATCH) return total;
    }
  };
  const report: RetentionReport = {
    strikes: await batches((repo) => repo.deleteStrikes(now, defaults, RETENTION_BATCH)),
    blocks: await batches((repo) => repo.deleteBlocks(now, defaults, RETENTION_BATCH)),
    reinstatements: await batches((repo) => repo.clearEndedReinstatements(RETENTION_BATCH)),
    departed: await batches(async (repo) => {
      const due = await repo.departedDue(now, defaults, RETENTION_BATCH);
      for (const person of due) {
        await repo.forgetDeparted(
          person.id,
          hashedRosterId(key, person.schoolId, person.kind, person.externalId),
        );
      }
      return due.length;
    }),
    audit: await batches((repo) => repo.redactAudit(now, defaults, RETENTION_BATCH)),
    actions: await batches((repo) =>
      repo.deletePerformedActions(now, PERFORMED_ACTIONS_DAYS, RETENTION_BATCH),
    ),
    accounts: await batches((repo) => repo.releaseErasedAccounts(RETENTION_BATCH)),
  };
  const total = Object.values(report).reduce((a, b) => a + b, 0);
  if (total > 0) services.log.info({ retention: report }, 'retention erased personal data past its period');
  return report;
}

export function personalDataJobs(services: Services): JobSpec[] {
  return [
    {
      name: 'personal-data-retention',
      cron: '41 * * * *',
      run: async (now) => Object.values(await runRetention(services, now)).reduce((a, b) => a + b, 0),
    },
  ];
}
