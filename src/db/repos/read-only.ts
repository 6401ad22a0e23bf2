import { and, eq, inArray, isNotNull } from 'drizzle-orm';
import type { Executor } from '../client.js';
import { accounts, blocks, chats, gateEntries } from '../schema.js';

/** Someone who may only read in a chat now: a block in mute mode (until its end) or a newcomer behind the gate. */
export interface ReadOnlyMember {
  platformChatId: string;
  platformUserId: string;
  until: Date | undefined;
}

/**
 * Who is read-only where on one platform, from the blocks and the rules gate: what a connector that
 * emulates read-only (MAX) needs back after a restart.
 */
export function createReadOnlyRepository(ex: Executor) {
  return {
    async readOnlyMembers(platform: string): Promise<ReadOnlyMember[]> {
      const blocked = await ex
        .select({ chatId: chats.platformChatId, userId: accounts.platformUserId, until: blocks.endsAt })
        .from(blocks)
        .innerJoin(chats, eq(chats.id, blocks.chatId))
        .innerJoin(accounts, eq(accounts.id, blocks.accountId))
        .where(
          and(
            eq(chats.platform, platform),
            eq(blocks.mode, 'mute'),
            inArray(blocks.status, ['active', 'lifting']),
            isNotNull(blocks.appliedAt),
          ),
        );
      const gated = await ex
        .select({ chatId: chats.platformChatId, userId: accounts.platformUserId })
        .from(gateEntries)
        .innerJoin(chats, eq(chats.id, gateEntries.chatId))
        .innerJoin(accounts, eq(accounts.id, gateEntries.accountId))
        .where(and(eq(chats.platform, platform), eq(gateEntries.status, 'pending')));
      const members = new Map<string, ReadOnlyMember>();
      for (const row of gated) {
        members.set(`${row.chatId}:${row.userId}`, {
          platformChatId: row.chatId,
          platformUserId: row.userId,
          until: undefined,
        });
      }
      // A block's end wins over the gate's none only if the gate has been passed; a pending gate stays.
      for (const row of blocked) {
        const key = `${row.chatId}:${row.userId}`;
        if (!members.has(key)) {
          members.set(key, { platformChatId: row.chatId, platformUserId: row.userId, until: row.until });
        }
      }
      return [...members.values()];
    },
  };
}
