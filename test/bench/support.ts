import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { type Database, openDatabase } from '../../src/db/client.js';

/** Latency percentile of a list of durations (ms). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/** Runs `task` over `items` with at most `concurrency` at once; returns each task's duration in ms. */
export async function pool<T>(
  items: readonly T[],
  concurrency: number,
  task: (item: T) => Promise<void>,
): Promise<number[]> {
  const durations: number[] = [];
  let next = 0;
  const worker = async () => {
    for (;;) {
      const index = next++;
      if (index >= items.length) return;
      const started = performance.now();
      await task(items[index] as T);
      durations.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return durations;
}

export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A fresh, migrated PostgreSQL database for one scenario, dropped afterwards. */
export async function benchDatabase(
  maxConnections = 20,
): Promise<{ database: Database; url: string; drop(): Promise<void> }> {
  const name = `ccm_bench_${randomBytes(5).toString('hex')}`;
  const admin = postgres(POSTGRES_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  await admin.end();
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  const database = await openDatabase({ kind: 'postgres', url: url.toString(), maxConnections });
  return {
    database,
    url: url.toString(),
    async drop() {
      await database.close().catch(() => {});
      const cleanup = postgres(POSTGRES_URL, { max: 1, onnotice: () => {} });
      await cleanup.unsafe(`drop database if exists "${name}" with (force)`);
      await cleanup.end();
    },
  };
}

/**
 * Fills the database the fast way (SQL, not updates): the given Telegram chats (supergroups of the
 * default school, the bot an administrator) and their members, each member a distinct account.
 */
export async function bulkChats(
  database: Database,
  chats: Array<{ chatId: number; title: string; userIds: number[] }>,
) {
  const db = database.db;
  for (let start = 0; start < chats.length; start += 2000) {
    const slice = chats.slice(start, start + 2000);
    await db.execute(sql`
      insert into chats (school_id, platform, platform_chat_id, type, title, bot_status, bot_rights)
      select 1, 'telegram', c, 'supergroup', t, 'administrator',
        '{"canRestrictMembers":true,"canDeleteMessages":true,"canInviteUsers":true}'::jsonb
      from unnest(${slice.map((c) => String(c.chatId))}::text[], ${slice.map((c) => c.title)}::text[]) as x(c, t)
      on conflict do nothing`);
  }
  const pairs = chats.flatMap((chat) =>
    chat.userIds.map((userId) => [String(chat.chatId), String(userId)] as const),
  );
  for (let start = 0; start < pairs.length; start += 20_000) {
    const slice = pairs.slice(start, start + 20_000);
    await db.execute(sql`
      insert into accounts (platform, platform_user_id, first_name, last_name)
      select 'telegram', u, 'Участник', u from unnest(${slice.map((p) => p[1])}::text[]) as x(u)
      on conflict do nothing`);
    await db.execute(sql`
      insert into chat_members (chat_id, account_id, status)
      select c.id, a.id, 'member'
      from unnest(${slice.map((p) => p[0])}::text[], ${slice.map((p) => p[1])}::text[]) as x(chat, u)
      join chats c on c.platform = 'telegram' and c.platform_chat_id = x.chat
      join accounts a on a.platform = 'telegram' and a.platform_user_id = x.u
      on conflict do nothing`);
  }
  await db.execute(
    sql`insert into rules (chat_id, version, text) select id, 1, null from chats on conflict do nothing`,
  );
}

/** Records `userId` as an administrator of each chat, read just now (no platform call needed to check). */
export async function bulkAdmins(database: Database, chatIds: number[], userId: number) {
  await database.db.execute(sql`
    insert into chat_admins (chat_id, platform_user_id, status)
    select id, ${String(userId)}, 'creator' from chats where platform_chat_id = any(${chatIds.map(String)}::text[])
    on conflict do nothing`);
  await database.db.execute(
    sql`update chats set admins_refreshed_at = now() where platform_chat_id = any(${chatIds.map(String)}::text[])`,
  );
}

export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

/** A Telegram message update, as the webhook receives it. */
export function messageUpdate(
  updateId: number,
  chatId: number,
  from: { id: number; first_name: string; last_name?: string },
  text: string,
  replyTo?: { messageId: number; from: { id: number; first_name: string; last_name?: string }; text: string },
) {
  const date = Math.floor(Date.now() / 1000);
  const chat = { id: chatId, type: 'supergroup', title: `Чат ${chatId}` };
  return JSON.stringify({
    update_id: updateId,
    message: {
      message_id: updateId,
      date,
      chat,
      from: { is_bot: false, ...from },
      text,
      ...(text.startsWith('/')
        ? { entities: [{ type: 'bot_command', offset: 0, length: text.split(' ')[0]?.length ?? 1 }] }
        : {}),
      ...(replyTo
        ? {
            reply_to_message: {
              message_id: replyTo.messageId,
              date,
              chat,
              from: { is_bot: false, ...replyTo.from },
              text: replyTo.text,
            },
          }
        : {}),
    },
  });
}

/** POSTs one update to a webhook and returns the status. */
export async function post(url: string, body: string, secret: string): Promise<number> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret },
    body,
  });
  await response.arrayBuffer();
  return response.status;
}
