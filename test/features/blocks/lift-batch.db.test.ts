import { and, eq, inArray } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { accounts, auditLog, blocks, chats, outbox } from '../../../src/db/schema.js';
import { blockOutcomes } from '../../../src/features/blocks/index.js';
import { closeVotesAsMoot } from '../../../src/features/reinstatement/index.js';
import { DAY } from '../../../src/lib/clock.js';
import type { Outcomes } from '../../../src/outbox/outcomes.js';
import type { OutcomeHandler } from '../../../src/outbox/worker.js';
import { createTestDatabase } from '../../support/db.js';
import { Harness } from '../../support/harness.js';
import { classChat } from '../../support/school.js';

/**
 * Issue 20: a thousand lifts due at once complete in batches, and a batch costs a few statements, not a
 * few per lift (the lifts row of `npm run bench` was 4 to 6 s for 1,000 with four per lift).
 */
const LIFTS = 30;

describe('issue 20: a batch of completed lifts is a handful of SQL statements', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it(`records, audits and announces ${LIFTS} lifts of one batch in at most 6 statements`, async () => {
    let counting = false;
    const statements: string[] = [];
    const db = await createTestDatabase(undefined, {
      queryLogger: { logQuery: (query) => void (counting && statements.push(query)) },
    });
    h = await Harness.start({ db, pacing: null });
    const names = Array.from({ length: LIFTS }, (_, n) => `Родитель${n} Класс`);
    const c = await classChat(h, { parents: names });
    for (const parent of c.parents) h.api.sendMessage(c.chatId, parent, 'Здравствуйте');
    await h.settle();
    const d = h.db.database.db;
    const [chat] = await d
      .select()
      .from(chats)
      .where(eq(chats.platformChatId, String(c.chatId)));
    const members = await d
      .select()
      .from(accounts)
      .where(
        inArray(
          accounts.platformUserId,
          c.parents.map((parent) => String(parent.id)),
        ),
      );
    expect(members).toHaveLength(LIFTS);
    const now = h.clock.now();
    // Blocks whose unmutes the platform has just confirmed (the worker's batch hands them over together).
    const lifting = await d
      .insert(blocks)
      .values(
        members.map((account) => ({
          chatId: chat?.id ?? 0,
          accountId: account.id,
          mode: 'mute' as const,
          startsAt: new Date(now.getTime() - 2 * DAY),
          endsAt: new Date(now.getTime() - 60_000),
          status: 'lifting' as const,
          liftReason: 'term' as const,
          appliedAt: new Date(now.getTime() - 2 * DAY),
          createdAt: new Date(now.getTime() - 2 * DAY),
        })),
      )
      .returning();
    const services = h.app.services;
    const handler = blockOutcomes(services, (work, lifted) => closeVotesAsMoot(services, work, lifted))[
      'block.lifted'
    ] as OutcomeHandler<'block.lifted'>;
    const outcomes = lifting.map((block) => ({
      args: {
        blockId: block.id,
        reason: 'term',
        announcement: `Снята ${block.id}`,
      } as Outcomes['block.lifted'],
      result: null,
    }));

    // Only the batch's own statements are counted: the outbox and the scheduled jobs pause meanwhile (and
    // the announcements wait to be read below).
    await h.app.jobs.stop();
    await h.app.outbox.stop();
    counting = true;
    await services.transact(async (work) => {
      // As the worker completes a batch: all at once where the handler takes a batch, else one by one.
      if (handler.doneAll) await handler.doneAll(work, outcomes);
      else for (const { args, result } of outcomes) await handler.done?.(work, args, result);
    });
    counting = false;

    const ids = lifting.map((block) => block.id);
    const lifted = await d.select().from(blocks).where(inArray(blocks.id, ids));
    expect(lifted.map((block) => [block.status, block.liftReason, Boolean(block.liftedAt)])).toEqual(
      ids.map(() => ['lifted', 'term', true]),
    );
    const audited = await d.select().from(auditLog).where(eq(auditLog.action, 'unblock'));
    expect(audited.map((entry) => entry.targetAccountId).sort()).toEqual(
      members.map((account) => account.id).sort(),
    );
    const announced = await d
      .select()
      .from(outbox)
      .where(and(eq(outbox.chatId, chat?.id ?? 0), eq(outbox.status, 'pending')));
    expect(announced.map((row) => (row.action as { text?: string }).text).sort()).toEqual(
      ids.map((id) => `Снята ${id}`).sort(),
    );
    // Read the blocks, mark them lifted, look for open votes, write the audit, enqueue the announcements.
    expect(statements.length, statements.join('\n')).toBeLessThanOrEqual(6);
  });
});
