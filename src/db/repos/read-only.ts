import { sql } from 'drizzle-orm';
import type { Executor } from '../client.js';
import { rowsOf, timestamp } from '../client.js';
import { accounts, blocks, chats, gateEntries } from '../schema.js';

/**
 * Why someone may only read in a chat now: a block in mute mode (until its end) or the rules gate (no
 * end). `key` names that block or gate entry, so the person is told once per silence.
 */
export interface Silence {
  key: string;
  until: Date | undefined;
}

/**
 * Who is read-only, from the blocks and the rules gate, for a connector that emulates read-only (MAX):
 * read per chat and kept by `read-only-cache.ts` until a committed change drops it, so every replica
 * decides from the same committed state.
 */
export function createReadOnlyRepository(ex: Executor) {
  return {
    /**
     * Everyone who may only read in one chat now, by platform user id, and the chat's own id (undefined
     * for a chat not in the records): one query, over the chat's unique platform id and the partial
     * unique indexes of live blocks and pending gate entries (both lead with the chat).
     */
    async silencedIn(
      platform: string,
      platformChatId: string,
      now: Date,
    ): Promise<{ chatId: number | undefined; silenced: Map<string, Silence> }> {
      const result = await ex.execute(sql`
        select c.id as chat_id, x.platform_user_id, x.gate_id, x.block_id, x.until
        from ${chats} c
        left join lateral (
          select a.platform_user_id, g.id as gate_id, null::integer as block_id, null::timestamptz as until
          from ${gateEntries} g join ${accounts} a on a.id = g.account_id
          where g.chat_id = c.id and g.status = 'pending'
          union all
          select a.platform_user_id, null, b.id, b.ends_at
          from ${blocks} b join ${accounts} a on a.id = b.account_id
          where b.chat_id = c.id and b.status in ('active', 'lifting') and b.mode = 'mute'
            and b.applied_at is not null and b.ends_at > ${timestamp(now)}
        ) x on true
        where c.platform = ${platform} and c.platform_chat_id = ${platformChatId}`);
      const rows = rowsOf<{
        chat_id: number;
        platform_user_id: string | null;
        gate_id: number | null;
        block_id: number | null;
        until: string | Date | null;
      }>(result);
      const silenced = new Map<string, Silence>();
      for (const row of rows) {
        if (row.platform_user_id === null) continue;
        // A pending gate stays until the rules are accepted, whatever a block's end says.
        if (row.gate_id !== null)
          silenced.set(row.platform_user_id, { key: `gate:${row.gate_id}`, until: undefined });
        else if (row.block_id !== null && row.until !== null && !silenced.has(row.platform_user_id))
          silenced.set(row.platform_user_id, { key: `block:${row.block_id}`, until: new Date(row.until) });
      }
      const [first] = rows;
      return { chatId: first ? Number(first.chat_id) : undefined, silenced };
    },
  };
}
