/**
 * The inventory of personal data (152-ФЗ): every column of every table, classified. A test reads the
 * drizzle tables and fails on any column this map does not classify, so a new table or a new free-text
 * or JSON column cannot be forgotten. README "Personal data" is the same map in words.
 */

import { ASSISTANCE_TABLES } from './inventory-assistance.js';
import {
  fact,
  idKept,
  idRow,
  nameBlank,
  none,
  shown,
  type TableClass,
  textBlank,
} from './inventory-kinds.js';
import { ROSTER_AND_PLATFORM_TABLES } from './inventory-roster.js';

export type { ColumnClass, DataCategory, Erasure, TableClass } from './inventory-kinds.js';

/** Schools, chats, accounts and moderation (4.13.5–4.13.7). */
const MODERATION_TABLES: Record<string, TableClass> = {
  schools: {
    purpose: 'the operator (the school) and its settings',
    retention: 'not personal',
    columns: {
      id: none,
      name: none,
      code: none,
      invite_days: none,
      retention_strike_days: none,
      retention_departed_days: none,
      retention_audit_days: none,
      privacy_notice: none,
      created_at: none,
    },
  },
  school_tokens: {
    purpose: "the school's API tokens (only a hash)",
    retention: 'not personal',
    columns: {
      id: none,
      school_id: none,
      label: none,
      secret_hash: none,
      created_at: none,
      revoked_at: none,
      last_used_at: none,
    },
  },
  chats: {
    purpose: 'the class chats the bot moderates',
    retention: 'not personal (a chat, not a person)',
    columns: {
      id: none,
      school_id: none,
      platform: none,
      platform_chat_id: none,
      type: none,
      title: shown,
      settings: none,
      bot_status: none,
      bot_rights: none,
      admins_refreshed_at: none,
      created_at: none,
      updated_at: none,
    },
  },
  accounts: {
    purpose: "a person's messenger account: to address them, name them to moderators and keep rules",
    retention:
      'erasure blanks the names and replaces the platform id by a random one, unless the account must stay removed or blocked; the departed period blanks the names',
    columns: {
      id: idKept,
      platform: shown,
      platform_user_id: { data: 'platform_id', export: true, erase: 'pseudonym' },
      first_name: nameBlank,
      last_name: nameBlank,
      username: nameBlank,
      language_code: { data: 'fact', export: true, erase: 'blank' },
      is_bot: none,
      private_chat_open: { data: 'fact', export: true, erase: 'blank' },
      created_at: shown,
      updated_at: none,
      erased_at: none,
    },
  },
  chat_members: {
    purpose: 'who is in which chat (Telegram has no member list)',
    retention: 'deleted on erasure',
    columns: {
      chat_id: shown,
      account_id: idRow,
      status: fact,
      joined_at: fact,
      left_at: fact,
      created_at: fact,
    },
  },
  chat_admins: {
    purpose: "the chat's moderators as last read from the platform (4.13.2)",
    retention: 'deleted on erasure; refreshed from the platform',
    columns: {
      chat_id: shown,
      platform_user_id: { data: 'platform_id', export: false, erase: 'row' },
      account_id: idRow,
      status: fact,
      is_anonymous: fact,
      created_at: none,
    },
  },
  school_attachments: {
    purpose: "a chat's request to belong to a school",
    retention: 'the requester stays as a pseudonymous id',
    columns: {
      id: none,
      school_id: none,
      chat_id: none,
      requested_by_account_id: idKept,
      status: none,
      requested_at: none,
      decided_at: none,
    },
  },
  audit_log: {
    purpose: 'proof of every moderation action and why (4.13.7)',
    retention:
      'after the audit period (and on erasure) names and free text are taken out; the action, time and pseudonymous ids stay',
    columns: {
      id: shown,
      at: shown,
      school_id: none,
      chat_id: shown,
      actor_kind: shown,
      actor_account_id: idKept,
      actor_name: nameBlank,
      action: shown,
      target_account_id: idKept,
      rule_number: shown,
      reason: textBlank,
      details: { data: 'json', export: true, erase: 'redact' },
    },
  },
  blocks: {
    purpose: 'blocks and their terms (4.13.5)',
    retention:
      'deleted a strike period after they ended; on erasure an active block is kept (it holds no names) until it is lifted',
    columns: {
      id: none,
      chat_id: shown,
      account_id: idRow,
      mode: fact,
      starts_at: fact,
      ends_at: fact,
      status: fact,
      applied_at: fact,
      lift_reason: fact,
      lifted_at: fact,
      lift_failures: none,
      created_at: none,
    },
  },
  strikes: {
    purpose: 'strikes with the rule broken and the evidence (4.13.5, 4.13.7)',
    retention: 'deleted a strike period after they stopped counting, and on erasure',
    columns: {
      id: none,
      chat_id: shown,
      account_id: idRow,
      moderator_account_id: idKept,
      moderator_name: nameBlank,
      rule_number: fact,
      rule_text: shown,
      rules_version: none,
      reason: textBlank,
      message_id: none,
      message_excerpt: textBlank,
      created_at: fact,
      revoked_at: fact,
      revoked_by_account_id: idKept,
      block_id: none,
    },
  },
  apologies: {
    purpose: "a blocked member's apology (4.13.6)",
    retention: 'the text is erased once the block has ended, and on erasure',
    columns: {
      id: none,
      account_id: idRow,
      block_id: none,
      text: textBlank,
      recorded_by: fact,
      recorded_by_account_id: idKept,
      announcement_message_id: none,
      created_at: fact,
    },
  },
  votes: {
    purpose: 'objection votes on early reinstatement (4.13.6); counts only',
    retention: 'follows its block',
    columns: {
      id: none,
      chat_id: none,
      block_id: none,
      apology_id: none,
      opened_by_account_id: idKept,
      opened_at: none,
      closes_at: none,
      status: none,
      outcome: none,
      objections: none,
      no_objections: none,
      message_id: none,
      render_needed: none,
      rendered_at: none,
      closed_at: none,
    },
  },
  vote_voters: {
    purpose: 'who may vote',
    retention: 'deleted once the block has ended, and on erasure',
    columns: { vote_id: none, account_id: idRow },
  },
  ballots: {
    purpose: "each voter's choice",
    retention: 'deleted once the block has ended, and on erasure',
    columns: { vote_id: shown, account_id: idRow, choice: fact, cast_at: fact },
  },
};

/** The dashboard's sign-in links and sessions: short-lived, only hashes of their secrets. */
const DASHBOARD_TABLES: Record<string, TableClass> = {
  dashboard_links: {
    purpose: 'single-use dashboard sign-in links (only a hash of the token)',
    retention: '10 minutes of use; deleted with the account on erasure',
    columns: {
      id: none,
      token_hash: none,
      role: none,
      account_id: idRow,
      school_id: none,
      created_at: none,
      expires_at: none,
      used_at: none,
    },
  },
  dashboard_sessions: {
    purpose: 'dashboard sessions of moderators and school administrators (only a hash of the cookie)',
    retention: '8 hours; deleted with the account on erasure',
    columns: {
      id: none,
      token_hash: none,
      role: none,
      account_id: idRow,
      school_id: none,
      csrf_secret: none,
      created_at: none,
      expires_at: none,
    },
  },
};

export const INVENTORY: Record<string, TableClass> = {
  ...MODERATION_TABLES,
  ...ROSTER_AND_PLATFORM_TABLES,
  ...ASSISTANCE_TABLES,
  ...DASHBOARD_TABLES,
};

/** Columns that hold something about a person (everything but `none`). */
export function personalColumns(table: string): string[] {
  return Object.entries(INVENTORY[table]?.columns ?? {})
    .filter(([, c]) => c.data !== 'none')
    .map(([name]) => name);
}
