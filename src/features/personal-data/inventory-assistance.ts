import { fact, idKept, idRow, none, shown, type TableClass, textBlank } from './inventory-kinds.js';

/** Help for the moderator (4.13.2, 4.13.4): flagged messages, dismissals, a chat's quiet hours (see inventory.ts). */
export const ASSISTANCE_TABLES: Record<string, TableClass> = {
  flag_suggestions: {
    purpose: "a flagged message suggested privately to the chat's moderators (4.13.2), never a sanction",
    retention:
      'the excerpt goes once the suggestion is closed or 48 hours old; the rows of the author are deleted on erasure',
    columns: {
      id: none,
      chat_id: shown,
      account_id: idRow,
      message_id: none,
      excerpt: textBlank,
      signal: fact,
      pattern: fact,
      rule_number: fact,
      status: fact,
      created_at: fact,
      closed_at: fact,
      closed_by_account_id: idKept,
    },
  },
  flag_dismissals: {
    purpose: 'a word a moderator told the bot to stop flagging, in the chat or for one author',
    retention: "an author's dismissals are deleted on erasure",
    columns: {
      id: none,
      chat_id: shown,
      pattern: none,
      account_id: idRow,
      until: fact,
      created_at: none,
    },
  },
  chat_assistance: {
    purpose: "a chat's heated-chat reminder and quiet hours in progress",
    retention:
      'the authors reminded during quiet hours are kept for one night; erasure takes the platform id out',
    columns: {
      chat_id: none,
      last_reminder_at: none,
      quiet_saved_permissions: none,
      quiet_closed_at: none,
      quiet_reopen_at: none,
      quiet_reminded_night: none,
      quiet_reminded: { data: 'platform_id', export: false, erase: 'redact' },
    },
  },
};
