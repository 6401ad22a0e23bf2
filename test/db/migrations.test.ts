import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_FOLDER } from '../../src/db/client.js';

/** The migrations folder as it stood up to (and including) migration `last`. */
function migrationsUpTo(last: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ccm-migrations-'));
  cpSync(MIGRATIONS_FOLDER, dir, { recursive: true });
  const journalPath = path.join(dir, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: Array<{ tag: string }> };
  const end = journal.entries.findIndex((entry) => entry.tag === last);
  journal.entries = journal.entries.slice(0, end + 1);
  writeFileSync(journalPath, JSON.stringify(journal));
  return dir;
}

/** Inserts an outbox row as an older migration left it: its lane, action and status. */
function outboxRow(client: PGlite) {
  return (lane: string, action: object, status = 'pending') =>
    client.query(
      `insert into outbox (lane, action, status, max_attempts, next_attempt_at, created_at)
       values ($1, $2, $3, 10, now(), now())`,
      [lane, JSON.stringify(action), status],
    );
}

// Each test migrates a fresh PGlite twice (up to an old migration, then to the newest): a minute on a busy machine.
describe('migrations carry stored data forward', { timeout: 120_000 }, () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('renames the chat address of actions still waiting in the outbox (0006)', async () => {
    const before = migrationsUpTo('0005_roster');
    dirs.push(before);
    const client = new PGlite();
    const db = drizzle({ client });
    await migrate(db, { migrationsFolder: before });
    await client.query(
      `insert into outbox (lane, action, max_attempts, next_attempt_at, created_at)
       values ('telegram:-100', '{"type":"send","chat":{"platform":"telegram","chatId":"-100"},"text":"hi"}', 10, now(), now())`,
    );
    await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
    const { rows } = await client.query<{ action: unknown }>('select action from outbox');
    expect(rows.map((row) => row.action)).toEqual([
      { type: 'send', chat: { platform: 'telegram', platformChatId: '-100' }, text: 'hi' },
    ]);
    await client.close();
  });

  it('moves actions still waiting into the member or the message queue of their chat (0007)', async () => {
    const before = migrationsUpTo('0006_chat_address_platform_chat_id');
    dirs.push(before);
    const client = new PGlite();
    const db = drizzle({ client });
    await migrate(db, { migrationsFolder: before });
    const row = outboxRow(client);
    const group = { platform: 'telegram', platformChatId: '-100' };
    const applicant = { platform: 'telegram', platformChatId: '42' };
    await row('telegram:-100', { type: 'mute', chat: group, userId: '7' });
    await row('telegram:-100', { type: 'send', chat: group, text: 'hi' });
    await row('telegram:42', { type: 'send', chat: applicant, text: 'why' });
    await row('telegram:42', { type: 'decline_join', chat: group, userId: '42' });
    await row('telegram:-100', { type: 'ban', chat: group, userId: '8' }, 'done');
    const upTo0007 = migrationsUpTo('0007_outbox_lanes_by_kind');
    dirs.push(upTo0007);
    await migrate(db, { migrationsFolder: upTo0007 });
    const { rows } = await client.query<{ lane: string }>('select lane from outbox order by id');
    expect(rows.map((r) => r.lane)).toEqual([
      'telegram:-100:members',
      'telegram:-100:messages',
      'telegram:42:messages',
      'telegram:42:messages',
      'telegram:-100',
    ]);
    await client.close();
  });

  it('moves actions on a member still waiting into the member’s own lane, in their order (0019)', async () => {
    const before = migrationsUpTo('0018_read_only_notify');
    dirs.push(before);
    const client = new PGlite();
    const db = drizzle({ client });
    await migrate(db, { migrationsFolder: before });
    const row = outboxRow(client);
    const group = { platform: 'telegram', platformChatId: '-100' };
    await row('telegram:-100:members', { type: 'mute', chat: group, userId: '7' });
    await row('telegram:-100:members', { type: 'delete', chat: group, messageId: '55' });
    await row('telegram:-100:messages', { type: 'send', chat: group, text: 'hi' });
    await row('telegram:-100:members', { type: 'unmute', chat: group, userId: '7' });
    await row('telegram:-100:members', { type: 'ban', chat: group, userId: '8' }, 'done');
    await row('telegram:-100:commands', { type: 'delete', chat: group, messageId: '56' });
    await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
    const { rows } = await client.query<{ id: number; lane: string }>(
      'select id, lane from outbox order by id',
    );
    expect(rows).toEqual([
      { id: 1, lane: 'telegram:-100:members:7' },
      { id: 2, lane: 'telegram:-100:members' },
      { id: 3, lane: 'telegram:-100:messages' },
      { id: 4, lane: 'telegram:-100:members:7' },
      { id: 5, lane: 'telegram:-100:members' },
      { id: 6, lane: 'telegram:-100:commands' },
    ]);
    await client.close();
  });

  it('detaches the chats that were only defaulted into the first school, keeps attached ones (0009)', async () => {
    const before = migrationsUpTo('0008_school_attachments');
    dirs.push(before);
    const client = new PGlite();
    const db = drizzle({ client });
    await migrate(db, { migrationsFolder: before });
    await client.query(`insert into schools (name) values ('School'), ('Лицей')`);
    for (const [id, school] of [
      ['-1', 1],
      ['-2', 1],
      ['-3', 2],
    ] as const) {
      await client.query(
        `insert into chats (school_id, platform, platform_chat_id, type, bot_status) values ($1, 'telegram', $2, 'supergroup', 'member')`,
        [school, id],
      );
    }
    // Chat -2 was attached to school 1 on purpose, chat -3 to school 2.
    for (const chat of [2, 3]) {
      await client.query(
        `insert into audit_log (at, chat_id, actor_kind, action, details) values (now(), $1, 'moderator', 'settings_changed', '{"key":"school"}')`,
        [chat],
      );
    }
    await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
    const { rows } = await client.query<{ id: string; school: number | null }>(
      'select platform_chat_id as id, school_id as school from chats order by chats.id',
    );
    expect(rows).toEqual([
      { id: '-1', school: null },
      { id: '-2', school: 1 },
      { id: '-3', school: 2 },
    ]);
    await client.close();
  });
  it('gives /invite links made before expiry the default 7 days, and keeps live personal links as they are (0011)', async () => {
    const before = migrationsUpTo('0010_admission_by_moderator');
    dirs.push(before);
    const client = new PGlite();
    const db = drizzle({ client });
    await migrate(db, { migrationsFolder: before });
    await client.query(
      `insert into chats (platform, platform_chat_id, type, bot_status) values ('telegram', '-1', 'supergroup', 'administrator')`,
    );
    await client.query(
      `insert into invite_links (chat_id, url, name, kind, created_at, expires_at, revoked_at) values
       (1, 'https://t.me/+old', 'invite', 'chat', '2026-11-01T00:00:00Z', null, null),
       (1, 'https://t.me/+gone', 'invite', 'chat', '2026-11-01T00:00:00Z', null, '2026-11-02T00:00:00Z'),
       (1, 'https://t.me/+mine', 'personal', 'personal', '2026-11-01T00:00:00Z', '2026-11-15T00:00:00Z', null)`,
    );
    await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
    const { rows } = await client.query<{ url: string; expires: string | null }>(
      `select url, to_char(expires_at at time zone 'UTC', 'YYYY-MM-DD') as expires from invite_links order by id`,
    );
    expect(rows).toEqual([
      { url: 'https://t.me/+old', expires: '2026-11-08' },
      { url: 'https://t.me/+gone', expires: null },
      { url: 'https://t.me/+mine', expires: '2026-11-15' },
    ]);
    await client.close();
  });

  it('drops the excerpt of deleted messages from the audit log, and the log stays append-only (0012)', async () => {
    const before = migrationsUpTo('0011_invite_link_expiry');
    dirs.push(before);
    const client = new PGlite();
    const db = drizzle({ client });
    await migrate(db, { migrationsFolder: before });
    await client.query(
      `insert into audit_log (at, actor_kind, actor_name, action, details) values
       (now(), 'moderator', 'Мария Ивановна', 'message_deleted', '{"messageId":"7","excerpt":"Телефон: +7 900"}'),
       (now(), 'member', 'Борис', 'report', '{"messageId":"8","excerpt":"Грубость"}')`,
    );
    await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
    const { rows } = await client.query<{ action: string; details: unknown; actor: string }>(
      'select action, details, actor_name as actor from audit_log order by id',
    );
    expect(rows).toEqual([
      { action: 'message_deleted', details: { messageId: '7' }, actor: 'Мария Ивановна' },
      { action: 'report', details: { messageId: '8', excerpt: 'Грубость' }, actor: 'Борис' },
    ]);
    await expect(client.query(`update audit_log set action = 'x'`)).rejects.toThrow(/append-only/);
    await client.close();
  });
});
