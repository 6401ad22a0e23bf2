import { afterEach, describe, expect, it } from 'vitest';
import { SharedPacer, TELEGRAM_LIMITS } from '../../src/outbox/pacer.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

/**
 * Issue 20: sends that find the bot's window full in this process wait without a round trip to the
 * database. With a thousand lifts due, sends asked the database side by side for the same free slots
 * and all but one were told to wait: about two hundred such round trips a second for thirty lifts.
 */
describe('the shared pacer asks the database only for slots this process has room for', () => {
  let db: TestDatabase | undefined;
  afterEach(async () => {
    await db?.drop();
    db = undefined;
  });

  it('gives 30 of 40 sends at once their slots, and asks the database 30 times', async () => {
    const asked: string[] = [];
    db = await createTestDatabase(undefined, {
      queryLogger: {
        logQuery: (query) => void (query.includes('pg_advisory_xact_lock') && asked.push(query)),
      },
    });
    const pacer = new SharedPacer(db.database.db, TELEGRAM_LIMITS);
    // Forty chats' messages at once: the bot's 30 a second lets 30 go now.
    const slots = await Promise.all(
      Array.from({ length: 40 }, (_, n) => pacer.reserve(`telegram:-${n + 1}:messages`, true)),
    );
    const sent = slots.filter((slot) => slot.wait === 0);
    expect(sent).toHaveLength(30);
    expect(slots.filter((slot) => slot.wait > 900)).toHaveLength(10);
    expect(asked).toHaveLength(30);
    for (const slot of sent) await slot.answered?.();
  });
});
