import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settlePacingSlots, takePacingSlots } from '../../src/db/repos/pacing.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('pacing slots shared in the database', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('counts a call not yet answered as happening now: the next waits a whole window from its answer', async () => {
    const window = [{ key: 'telegram:-1:s', limit: 1, windowMs: 1000 }];
    const first = await takePacingSlots(db.database.db, window);
    expect(first.wait).toBe(0);
    // The call is slow to reach the platform (a busy machine): 600 ms later it is still unanswered. Counted
    // from when its slot was taken, the next call could go in 400 ms and arrive within a second of it.
    await sleep(600);
    const meanwhile = await takePacingSlots(db.database.db, window);
    expect(meanwhile.wait).toBeGreaterThan(900);
    // Once answered, the window runs from the answer.
    await settlePacingSlots(db.database.db, ['telegram:-1:s'], first.takenAt ?? 0);
    await sleep(300);
    const after = await takePacingSlots(db.database.db, window);
    expect(after.wait).toBeGreaterThan(500);
    expect(after.wait).toBeLessThanOrEqual(700);
  });

  it('does not let a call that was never answered (its replica died) hold a window shut', async () => {
    const window = [{ key: 'telegram:-2:s', limit: 1, windowMs: 1000 }];
    expect((await takePacingSlots(db.database.db, window)).wait).toBe(0);
    // The slot was taken 31 s ago and never answered.
    await db.database.db.execute(
      sql`update pacing_slots set at = at - interval '31 seconds' where key = 'telegram:-2:s'`,
    );
    expect((await takePacingSlots(db.database.db, window)).wait).toBe(0);
  });
});
