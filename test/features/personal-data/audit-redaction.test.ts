import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../../src/db/client.js';
import { createTestDatabase, type TestDatabase } from '../../support/db.js';

/** The audit log stays append-only; only a redacting transaction may blank names and free text. */
describe('the audit log under 152-ФЗ redaction', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
    await t.database.db.execute(sql`insert into audit_log (at, actor_kind, actor_name, action, reason, details)
      values (now(), 'moderator', 'Мария Ивановна', 'strike', 'грубость', '{"excerpt":"текст","strikeId":1}')`);
  });
  afterAll(() => t.drop());

  const redact = (statement: ReturnType<typeof sql>) =>
    t.database.db.transaction(async (tx) => {
      await tx.execute(sql`select set_config('ccm.audit_redaction', 'on', true)`);
      await tx.execute(statement);
    });

  it('refuses an update or a delete outside a redaction', async () => {
    await expect(t.database.db.execute(sql`update audit_log set actor_name = null`)).rejects.toThrow();
    await expect(t.database.db.execute(sql`delete from audit_log`)).rejects.toThrow();
  });

  it('refuses, even in a redaction, to change the action, the ids or to delete', async () => {
    await expect(redact(sql`update audit_log set action = 'unblock'`)).rejects.toThrow();
    await expect(redact(sql`update audit_log set target_account_id = 1`)).rejects.toThrow();
    await expect(redact(sql`update audit_log set actor_name = 'Кто-то другой'`)).rejects.toThrow();
    await expect(redact(sql`update audit_log set details = details || '{"x":1}'`)).rejects.toThrow();
    await expect(redact(sql`delete from audit_log`)).rejects.toThrow();
  });

  it('lets a redaction blank the name, the reason and the excerpt, and only for its own transaction', async () => {
    await redact(sql`update audit_log set actor_name = null, reason = null, details = details - 'excerpt'`);
    const rows = rowsOf<Record<string, unknown>>(
      await t.database.db.execute(sql`select actor_name, reason, details, action from audit_log`),
    );
    expect(rows).toEqual([{ actor_name: null, reason: null, details: { strikeId: 1 }, action: 'strike' }]);
    await expect(t.database.db.execute(sql`update audit_log set rule_number = 2`)).rejects.toThrow();
  });
});
