import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import {
  acceptances,
  blocks,
  chatMembers,
  chats,
  joinRequests,
  removals,
  strikes,
  votes,
} from '../../src/db/schema.js';
import { mulberry32 } from '../../src/sandbox/telegram/faults.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { compareAll, realDifferences } from './compare.js';
import { CHATS, type DayOptions, type KillMoment, names, playSchoolDay } from './school-day.js';

const SEED = 33;
const KILL_MOMENTS: KillMoment[] = ['block decided', 'vote closing', 'removal batch', 'day jump'];

/**
 * Four steps to kill the bot at, seeded random, one in each quarter of the day's steps after the setup (the
 * first `setup` steps add the bot to the chats and configure them before faults begin).
 */
function killSteps(steps: number, setup = 400): number[] {
  const random = mulberry32(SEED + 2);
  const quarter = (steps - setup) / 4;
  return [0, 1, 2, 3].map((q) => Math.floor(setup + quarter * (q + random())));
}

/**
 * The faulty run: of the Bot API calls, 20% answer 5xx and 10% 429 before they run, 5% run and lose their
 * answer; 5% of updates come twice, the copy held back until 40 more updates were made (a later batch,
 * often after a restart); 8 SIGKILLs.
 */
const faults = (steps: number): NonNullable<DayOptions['faults']> => ({
  rate5xx: 0.2,
  rate429: 0.1,
  rateIndeterminate: 0.05,
  duplicates: 0.05,
  duplicatesAfterUpdates: 40,
  killAtSteps: killSteps(steps),
  killAtMoments: KILL_MOMENTS,
});

/** Two replicas in webhook mode. */
const REPLICAS = { replicas: 2 } as const;
/**
 * The same with 5% of updates pushed to the webhook again 40 updates later (`FAULTS_ONLY=redeliveries`
 * plays it alone). A run on 2026-11-30 ended with guardians of departed students counted as members: a
 * redelivered message from a guardian removed meanwhile marked her present again (fixed 2026-12-01; the
 * deterministic test is in the roster e2e tests — this seed does not hit it on the old code).
 */
const REDELIVERED = { replicas: 2, redeliveries: { rate: 0.05, afterUpdates: 40 } } as const;

/** Everything a school would check afterwards, described by names so that two runs can be compared. */
type State = Record<
  'strikes' | 'blocks' | 'acceptances' | 'removals' | 'votes' | 'members' | 'joinRequests',
  string[]
>;

async function finalState(database: Database): Promise<State> {
  const who = await names(database);
  const titles = new Map((await database.db.select().from(chats)).map((chat) => [chat.id, chat.title]));
  const label = (chatId: number, accountId: number) => `${titles.get(chatId)}|${who.get(accountId)}`;
  const sorted = (rows: string[]) => rows.sort();
  return {
    strikes: sorted(
      (await database.db.select().from(strikes)).map(
        (row) =>
          `${label(row.chatId, row.accountId)}|rule ${row.ruleNumber}|${row.revokedAt ? 'revoked' : 'kept'}|${row.blockId ? 'blocked' : ''}`,
      ),
    ),
    blocks: sorted(
      (await database.db.select().from(blocks)).map(
        (row) =>
          `${label(row.chatId, row.accountId)}|${row.status}|${row.liftReason}|${(row.endsAt.getTime() - row.startsAt.getTime()) / 3600_000}h`,
      ),
    ),
    acceptances: sorted(
      (await database.db.select().from(acceptances)).map(
        (row) => `${label(row.chatId, row.accountId)}|v${row.rulesVersion}|${row.via}`,
      ),
    ),
    removals: sorted(
      (await database.db.select().from(removals)).map(
        (row) => `${label(row.chatId, row.accountId)}|${row.status}|${row.reason}`,
      ),
    ),
    votes: sorted(
      (await database.db.select().from(votes)).map(
        (row) =>
          `${titles.get(row.chatId)}|${row.status}|${row.outcome}|${row.objections}/${row.noObjections}`,
      ),
    ),
    members: sorted(
      (await database.db.select().from(chatMembers)).map(
        (row) => `${label(row.chatId, row.accountId)}|${row.status}`,
      ),
    ),
    joinRequests: sorted(
      (await database.db.select().from(joinRequests)).map(
        (row) => `${label(row.chatId, row.accountId)}|${row.status}`,
      ),
    ),
  };
}

// No silent skips: in CI the school day must run; locally it says loudly that it did not.
if (!process.env.TEST_DATABASE_URL) {
  if (process.env.CI) {
    it('a school day needs TEST_DATABASE_URL (CI=true)', () => {
      throw new Error('TEST_DATABASE_URL is unset: the school day and the two-replica run cannot run');
    });
  } else {
    console.warn(
      '\n*** SKIPPED: the school day (clean, under faults, two replicas) needs TEST_DATABASE_URL ***\n',
    );
  }
}

describe.runIf(process.env.TEST_DATABASE_URL)(
  'a school day: clean, under faults, and on two replicas',
  () => {
    const databases: TestDatabase[] = [];
    afterAll(async () => {
      // FAULTS_KEEP=1 keeps the databases to look into (their URLs are printed).
      if (process.env.FAULTS_KEEP) console.log(`kept: ${databases.map((d) => d.url).join(' ')}`);
      else for (const database of databases) await database.drop();
    });

    async function run(options: Omit<DayOptions, 'databaseUrl' | 'database' | 'seed'>) {
      const database = await createTestDatabase('postgres');
      databases.push(database);
      const started = Date.now();
      const report = await playSchoolDay({
        ...options,
        seed: SEED,
        databaseUrl: database.url ?? '',
        database: database.database,
      });
      return {
        report,
        state: await finalState(database.database),
        seconds: Math.round((Date.now() - started) / 1000),
      };
    }

    // FAULTS_ONLY=faulty or =replicas plays that run alone (for debugging; it compares with nothing).
    it.runIf(process.env.FAULTS_ONLY)(
      'plays one run alone',
      async () => {
        const faulty = process.env.FAULTS_ONLY === 'faulty';
        const alone = await run(
          faulty
            ? { faults: faults(Number(process.env.FAULTS_STEPS ?? 1865)) }
            : process.env.FAULTS_ONLY === 'redeliveries'
              ? REDELIVERED
              : REPLICAS,
        );
        const { botMessages, privateMessages, titles, platform, seen, ...figures } = alone.report;
        console.log(JSON.stringify({ ...figures, seconds: alone.seconds }, null, 1));
        if (process.env.FAULTS_VERBOSE) console.log(JSON.stringify(alone.state, null, 1));
      },
      1_800_000,
    );

    it.skipIf(process.env.FAULTS_ONLY)(
      'ends in the same state, with each announcement sent once',
      async () => {
        const clean = await run({});
        expect(clean.report.updates).toBeGreaterThanOrEqual(2000);
        expect(clean.state.blocks.length).toBeGreaterThan(0);
        expect(clean.state.removals.length).toBeGreaterThan(0);
        expect(clean.state.votes.some((vote) => vote.includes('unblocked'))).toBe(true);
        expect(clean.state.votes.some((vote) => vote.includes('kept'))).toBe(true);
        // Strangers came in only through a moderator: the applicant a teacher admitted, not the one nobody
        // answered; the newcomers parents added write once a teacher let them in.
        expect(clean.state.joinRequests.filter((row) => row.endsWith('|approved'))).toHaveLength(10);
        expect(clean.state.joinRequests.filter((row) => row.endsWith('|expired'))).toHaveLength(10);
        expect(
          clean.report.platform.filter((row) => /\|Новичок1 .*\|member\|writes$/.test(row)),
        ).toHaveLength(CHATS / 2);

        if (process.env.FAULTS_CLEAN_ONLY) {
          console.log(JSON.stringify({ state: clean.state, platform: clean.report.platform }, null, 1));
          return;
        }
        const faulty = await run({ faults: faults(clean.report.steps) });
        // Every message a person saw in the clean run (in a group or privately) they saw under faults, edited
        // and deleted alike; a message whose answer was lost may have gone twice, and those copies are
        // counted, not hidden: at most one per send that lost its answer.
        const seen = compareAll(clean.report.seen, faulty.report.seen);
        const indeterminateSends = faulty.report.indeterminate.sendMessage ?? 0;
        console.log(
          `faulty run: ${JSON.stringify({
            faultsByKind: faulty.report.faultsByKind,
            indeterminate: faulty.report.indeterminate,
            kills: faulty.report.kills,
            earlyRetries: faulty.report.earlyRetries,
            earlyRetriesBy: faulty.report.earlyRetriesBy,
            extraCopies: seen.extraCopies,
            indeterminateSends,
            faultNotices: seen.notices,
            lateRedeliveries: faulty.report.redelivered,
            duplicatedUpdates: faulty.report.duplicatesSent,
          })}`,
        );
        for (const [place, difference] of Object.entries(seen.differences))
          for (const notice of difference.notices) console.log(`fault notice in ${place}: ${notice.now}`);
        const failedSends = faulty.report.failed.sends;
        const real = realDifferences(seen.differences, failedSends);
        if (Object.keys(real).length > 0) console.log(`differences: ${JSON.stringify(real, null, 1)}`);
        for (const why of faulty.report.failed.why) console.log(`failed for good: ${why}`);
        for (const [place, texts] of failedSends)
          for (const text of texts) console.log(`recorded as failed for good in ${place}: ${text}`);
        expect(faulty.report.kills.length).toBeGreaterThanOrEqual(8);
        // 429 means wait: no call came again before its retry_after had passed.
        expect(faulty.report.earlyRetries).toBe(0);
        expect(faulty.report.injectedFaults).toBeGreaterThan(100);
        const byKind = faulty.report.faultsByKind;
        expect((byKind.indeterminate5xx ?? 0) + (byKind.indeterminateTimeout ?? 0)).toBeGreaterThan(10);
        expect(faulty.report.duplicatesSent).toBeGreaterThan(50);
        expect(faulty.state).toEqual(clean.state);
        expect(real).toEqual({});
        // A notice of a refused action reports an action recorded as failed, never invented: at most two
        // each (the group hears that a lift will be tried again, the moderators privately what failed).
        expect(seen.notices).toBeLessThanOrEqual(2 * faulty.report.failed.actions);
        expect(seen.extraCopies).toBeLessThanOrEqual(indeterminateSends);
        expect(faulty.report.platform).toEqual(clean.report.platform);

        const replicas = await run(REPLICAS);
        expect(replicas.state).toEqual(clean.state);
        const replicasSeen = compareAll(clean.report.seen, replicas.report.seen);
        expect(replicasSeen.differences).toEqual({});
        expect(replicas.report.platform).toEqual(clean.report.platform);

        const redelivered = await run(REDELIVERED);
        expect(redelivered.report.redelivered).toBeGreaterThan(50);
        expect(redelivered.state).toEqual(clean.state);
        expect(compareAll(clean.report.seen, redelivered.report.seen).differences).toEqual({});
        expect(redelivered.report.platform).toEqual(clean.report.platform);

        const figures = {
          updates: clean.report.updates,
          steps: clean.report.steps,
          chats: clean.report.botMessages.size,
          blocks: clean.state.blocks.length,
          removals: clean.state.removals.length,
          votes: clean.state.votes.length,
          acceptances: clean.state.acceptances.length,
          joinRequests: clean.state.joinRequests.length,
          faulty: {
            injectedFaults: faulty.report.injectedFaults,
            faultsByKind: faulty.report.faultsByKind,
            earlyRetries: faulty.report.earlyRetries,
            indeterminate: faulty.report.indeterminate,
            extraCopies: seen.extraCopies,
            indeterminateSends,
            faultNotices: seen.notices,
            lateRedeliveries: faulty.report.redelivered,
            duplicatedUpdates: faulty.report.duplicatesSent,
            kills: faulty.report.kills,
            seconds: faulty.seconds,
          },
          cleanSeconds: clean.seconds,
          replicasSeconds: replicas.seconds,
          redelivered: { updates: redelivered.report.redelivered, seconds: redelivered.seconds },
        };
        console.log(`school day: ${JSON.stringify(figures)}`);
        if (process.env.FAULTS_REPORT)
          writeFileSync(process.env.FAULTS_REPORT, JSON.stringify(figures, null, 2));
      },
      1_800_000,
    );
  },
);
