import { integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.js';
import { chats } from './chats.js';
import { createdAt } from './columns.js';

/** Every version of a chat's rules. `text` null means the default rules, in the chat's language. */
export const rules = pgTable(
  'rules',
  {
    chatId: integer('chat_id')
      .notNull()
      .references(() => chats.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    text: text('text'),
    createdByAccountId: integer('created_by_account_id').references(() => accounts.id),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.chatId, t.version] })],
);
