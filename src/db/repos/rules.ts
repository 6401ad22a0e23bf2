import { desc, eq } from 'drizzle-orm';
import type { Executor } from '../client.js';
import { rules } from '../schema.js';

export interface RulesVersion {
  version: number;
  /** Null: the default rules, shown in the chat's language. */
  text: string | null;
  createdAt: Date;
}

export function createRulesRepository(ex: Executor) {
  return {
    async current(chatId: number): Promise<RulesVersion | undefined> {
      const [row] = await ex
        .select({ version: rules.version, text: rules.text, createdAt: rules.createdAt })
        .from(rules)
        .where(eq(rules.chatId, chatId))
        .orderBy(desc(rules.version))
        .limit(1);
      return row;
    },

    /** Stores a new version; the caller holds the chat's lock, so versions do not collide. */
    async add(chatId: number, text: string, accountId: number | null, now: Date): Promise<number> {
      const current = await this.current(chatId);
      const version = (current?.version ?? 0) + 1;
      await ex.insert(rules).values({ chatId, version, text, createdByAccountId: accountId, createdAt: now });
      return version;
    },
  };
}
