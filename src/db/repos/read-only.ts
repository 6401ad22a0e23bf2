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
 * asked for every group message, so every replica decides from the same committed state. One query over
 * unique indexes (chats and accounts by platform id, the live block and the pending gate entry by chat
 * and account).
 */
export function createReadOnlyRepository(ex: Executor) {
  return {
    async silenceOf(
      platform: string,
      platformChatId: string,
      platformUserId: string,
      now: Date,
    ): Promise<Silence | undefined> {
      const result = await ex.execute(sql`
        select g.id as gate_id, b.id as block_id, b.ends_at as until
        from ${chats} c
        join ${accounts} a on a.platform = c.platform and a.platform_user_id = ${platformUserId}
        left join ${gateEntries} g on g.chat_id = c.id and g.account_id = a.id and g.status = 'pending'
        left join ${blocks} b on b.chat_id = c.id and b.account_id = a.id
          and b.status in ('active', 'lifting') and b.mode = 'mute' and b.applied_at is not null
          and b.ends_at > ${timestamp(now)}
        where c.platform = ${platform} and c.platform_chat_id = ${platformChatId}
        limit 1`);
      const [row] = rowsOf<{ gate_id: number | null; block_id: number | null; until: string | Date | null }>(
        result,
      );
      if (!row) return undefined;
      // A pending gate stays until the rules are accepted, whatever a block's end says.
      if (row.gate_id !== null) return { key: `gate:${row.gate_id}`, until: undefined };
      if (row.block_id !== null && row.until !== null)
        return { key: `block:${row.block_id}`, until: new Date(row.until) };
      return undefined;
    },
  };
}
