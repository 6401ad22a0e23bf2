import { AsyncLocalStorage } from 'node:async_hooks';
import { and, eq } from 'drizzle-orm';
import type { User } from 'telegraf/types';
import { afterEach, describe, expect, it } from 'vitest';
import { auditLog, blocks, outbox, strikes } from '../../../src/db/schema.js';
import type { InboundEvent } from '../../../src/messenger/port.js';
import { createTestDatabase } from '../../support/db.js';
import { Harness } from '../../support/harness.js';
import { type ClassChat, classChat } from '../../support/school.js';

/**
 * A strike's cost is its round trips to the database (issue 20): every statement the handling of one
 * `/strike` update runs, counted through drizzle's logger — only those run on behalf of that update
 * (the outbox worker's are not its), BEGIN and COMMIT not counted.
 */
const MAX_STATEMENTS = 8;
/**
 * Round trips: statements sent together, in one synchronous run (as `Promise.all` sends them), go to the
 * connection together (postgres.js writes them in one write; PostgreSQL runs them in order); a statement
 * sent after awaiting another's answer is a round trip of its own. A strike reads the sender with the
 * chat's lock and the member with their history.
 */
const MAX_ROUND_TRIPS = { record: 4, block: 5 };

interface Scope {
  statements: string[];
  turns: Set<number>;
}

/** Which synchronous run a statement was sent in: a new one once a microtask has run since the last. */
let run = 0;
let runEnds = false;
function currentRun(): number {
  if (!runEnds) {
    runEnds = true;
    queueMicrotask(() => {
      runEnds = false;
      run += 1;
    });
  }
  return run;
}

describe('issue 20: a /strike is a handful of SQL statements in fewer round trips', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  async function start() {
    const scope = new AsyncLocalStorage<Scope>();
    const db = await createTestDatabase(undefined, {
      queryLogger: {
        logQuery: (query) => {
          const entry = scope.getStore();
          entry?.statements.push(query);
          entry?.turns.add(currentRun());
        },
      },
    });
    h = await Harness.start({ db });
    // Counts what the dispatcher runs for each update, in that update's async context only.
    const dispatcher = h.app.dispatcher as unknown as { process(event: InboundEvent): Promise<void> };
    const process = dispatcher.process.bind(dispatcher);
    const counted: Array<{ kind: string; text: string } & Scope> = [];
    dispatcher.process = (event) => {
      const entry = {
        kind: event.kind,
        text: event.kind === 'message' ? (event.text ?? '') : '',
        statements: [] as string[],
        turns: new Set<number>(),
      };
      counted.push(entry);
      return scope.run(entry, () => process(event));
    };
    return { h, counted };
  }

  async function strike(h: Harness, c: ClassChat, member: User, rule: number) {
    const offending = h.api.sendMessage(c.chatId, member, `Сообщение не по правилам ${Math.random()}`);
    await h.settle();
    h.api.sendMessage(c.chatId, c.teacher, `/strike ${rule} реклама`, { replyTo: offending.message_id });
    await h.settle();
  }

  it(`records a strike in at most ${MAX_STATEMENTS} statements and ${MAX_ROUND_TRIPS.record} round trips, and the blocking one too`, async () => {
    const { h, counted } = await start();
    const c = await classChat(h);
    const [anna, boris] = c.parents as [User, User];
    // The first strike in the chat fills the caches a running bot has (the moderator, the chat, the rules).
    await strike(h, c, boris, 1);
    const strikesOnly = () => counted.filter((entry) => entry.text.startsWith('/strike'));
    const before = strikesOnly().length;
    await strike(h, c, anna, 1);
    await strike(h, c, anna, 2);
    await strike(h, c, anna, 2);
    await strike(h, c, anna, 3); // the fourth: past the limit of 3, the member is blocked
    const measured = strikesOnly().slice(before);
    expect(measured).toHaveLength(4);
    const counts = measured.map((entry) => entry.statements.length);
    // Kept in the test's output: the figure the README quotes.
    const trips = measured.map((entry) => entry.turns.size);
    console.log(
      `statements per /strike: ${counts.join(', ')}; round trips: ${trips.join(', ')} (the last one blocks)`,
    );
    for (const entry of measured) {
      if (entry.statements.length > MAX_STATEMENTS) console.log(entry.statements.join('\n---\n'));
    }

    // The work is all there: four strikes of Anna, the block, the audit entries, the actions.
    const db = h.db.database.db;
    const annaStrikes = await db.select().from(strikes).where(eq(strikes.ruleText, 'Без рекламы'));
    expect(annaStrikes.length).toBeGreaterThanOrEqual(2);
    const all = await db.select().from(strikes);
    expect(all).toHaveLength(5);
    const [block] = await db.select().from(blocks);
    expect(block?.status).toBe('active');
    expect(all.filter((row) => row.blockId === block?.id)).toHaveLength(4);
    const audit = await db.select().from(auditLog).where(eq(auditLog.action, 'strike'));
    expect(audit).toHaveLength(5);
    expect(await db.select().from(auditLog).where(eq(auditLog.action, 'block'))).toHaveLength(1);
    const mutes = await db
      .select()
      .from(outbox)
      .where(and(eq(outbox.status, 'done'), eq(outbox.lane, `telegram:${c.chatId}:members:${anna.id}`)));
    expect(mutes.some((row) => (row.action as { type: string }).type === 'mute')).toBe(true);
    expect(h.api.callsTo('restrictChatMember').some((call) => call.params.user_id === anna.id)).toBe(true);

    for (const count of counts) expect(count).toBeLessThanOrEqual(MAX_STATEMENTS);
    expect(trips.slice(0, 3).every((n) => n <= MAX_ROUND_TRIPS.record)).toBe(true);
    expect(trips[3]).toBeLessThanOrEqual(MAX_ROUND_TRIPS.block);
  });
});
