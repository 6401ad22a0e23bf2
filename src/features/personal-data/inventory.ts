/**
 * The inventory of personal data (152-ФЗ): every column of every table, classified. A test reads the
 * drizzle tables and fails on any column this map does not classify, so a new table or a new free-text
 * or JSON column cannot be forgotten. README "Personal data" is the same map in words.
 */

/** What a column holds about a person. */
export type DataCategory =
  /** nothing about a person (technical, or about a chat or the school) */
  | 'none'
  /** our own numeric id of an account or roster person: pseudonymous once the names are gone */
  | 'pseudonymous_id'
  /** a messenger's user id (Telegram, VK, MAX) */
  | 'platform_id'
  /** the school's own id of a student, guardian or employee */
  | 'roster_id'
  /** a roster name or a messenger display name or username */
  | 'name'
  /** words a person or a moderator wrote: apologies, reasons, message excerpts */
  | 'free_text'
  /** a fact about a person: a status, a class, a rule broken, a time, a choice in a vote */
  | 'fact'
  /** JSON that may hold any of the above */
  | 'json';

/**
 * What erasure does to a column: `row` — the person's rows are deleted; `blank` — set to null or '';
 * `pseudonym` — replaced by a value that no longer identifies the person (a keyed hash or a random id);
 * `redact` — names and free text taken out of JSON; `keep` — kept (not personal, or the pseudonymous id
 * the audit log needs under 4.13.7).
 */
export type Erasure = 'row' | 'blank' | 'pseudonym' | 'redact' | 'keep';

export interface ColumnClass {
  data: DataCategory;
  /** Whether a person's export carries it. */
  export: boolean;
  erase: Erasure;
}

export interface TableClass {
  /** Why the bot keeps it. */
  purpose: string;
  /** How long, and what erases it (README's words). */
  retention: string;
  columns: Record<string, ColumnClass>;
}

const none: ColumnClass = { data: 'none', export: false, erase: 'keep' };
const shown: ColumnClass = { data: 'none', export: true, erase: 'keep' };
const fact: ColumnClass = { data: 'fact', export: true, erase: 'row' };
const idRow: ColumnClass = { data: 'pseudonymous_id', export: false, erase: 'row' };
const idKept: ColumnClass = { data: 'pseudonymous_id', export: false, erase: 'keep' };
const nameBlank: ColumnClass = { data: 'name', export: true, erase: 'blank' };
const textBlank: ColumnClass = { data: 'free_text', export: true, erase: 'blank' };

export const INVENTORY: Record<string, TableClass> = {
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
  persons: {
    purpose: "the school's roster: who is enrolled or employed, in which class (4.13.8)",
    retention:
      'a departed person after the departed period, or on erasure: the name and class are blanked and the roster id becomes a keyed hash (a re-enrolment still finds the removal)',
    columns: {
      id: idKept,
      school_id: none,
      kind: shown,
      external_id: { data: 'roster_id', export: true, erase: 'pseudonym' },
      name: nameBlank,
      class_code: { data: 'fact', export: true, erase: 'blank' },
      status: shown,
      created_at: shown,
      updated_at: none,
    },
  },
  guardianships: {
    purpose: 'which guardian has which child',
    retention: 'deleted after the departed period and on erasure',
    columns: { guardian_id: idRow, student_id: idRow },
  },
  person_accounts: {
    purpose: 'which messenger accounts belong to a roster person',
    retention: 'kept while a removal must stay in force (pseudonymous ids only), else deleted on erasure',
    columns: { person_id: idRow, account_id: idRow, linked_by: fact, linked_at: fact },
  },
  roster_events: {
    purpose: 'roster events as received, so a repeated one is applied once',
    retention: "on erasure the payload (names, roster ids) is replaced by the event's type",
    columns: {
      id: none,
      school_id: none,
      event_id: none,
      type: shown,
      payload: { data: 'json', export: true, erase: 'redact' },
      source: none,
      received_at: shown,
    },
  },
  invitations: {
    purpose: 'personal invitations (4.11.2)',
    retention: 'deleted on erasure and after the departed period',
    columns: {
      id: none,
      school_id: none,
      person_id: idRow,
      code: { data: 'none', export: false, erase: 'row' },
      created_at: fact,
      expires_at: fact,
      claimed_at: fact,
      claimed_by_account_id: idRow,
      revoked_at: fact,
    },
  },
  removals: {
    purpose: 'removals of departed people from chats (4.13.8)',
    retention:
      'kept while the removal must stay in force (ids only; the reason is generic); lifted ones deleted on erasure',
    columns: {
      id: none,
      school_id: none,
      chat_id: shown,
      account_id: { data: 'pseudonymous_id', export: false, erase: 'keep' },
      person_id: idKept,
      cause_student_id: idKept,
      roster_event_id: none,
      batch: none,
      reason: { data: 'fact', export: true, erase: 'keep' },
      status: fact,
      error: none,
      created_at: fact,
      done_at: fact,
    },
  },
  invite_links: {
    purpose: 'invite links the bot made; a personal one is named after its person',
    retention: "on erasure a personal link's name is blanked",
    columns: {
      id: none,
      chat_id: none,
      url: none,
      name: nameBlank,
      kind: none,
      created_by_account_id: idKept,
      invitation_id: none,
      created_at: none,
      expires_at: none,
      revoked_at: none,
    },
  },
  join_requests: {
    purpose: 'join requests waiting for the rules to be accepted (4.13.3)',
    retention: 'deleted on erasure',
    columns: {
      id: none,
      chat_id: shown,
      account_id: idRow,
      private_chat_id: { data: 'platform_id', export: false, erase: 'row' },
      invite_link: none,
      status: fact,
      rules_version: none,
      message_id: none,
      requested_at: fact,
      expires_at: none,
      decided_at: fact,
      needs_moderator: fact,
      moderator_decision: fact,
      decided_by_account_id: idKept,
      rules_accepted_at: fact,
    },
  },
  greetings: {
    purpose: 'greeting messages; which newcomers (account ids) they name',
    retention: 'ids only',
    columns: {
      id: none,
      chat_id: none,
      message_id: none,
      gated: none,
      rendered: { data: 'json', export: false, erase: 'keep' },
      created_at: none,
      closed_at: none,
    },
  },
  gate_entries: {
    purpose: 'newcomers read-only until they accept the rules (4.13.3)',
    retention: 'deleted on erasure',
    columns: {
      id: none,
      chat_id: shown,
      account_id: idRow,
      greeting_id: none,
      status: fact,
      joined_at: fact,
      decided_at: fact,
      needs_moderator: fact,
      moderator_decision: fact,
      decided_by_account_id: idKept,
      rules_accepted_at: fact,
    },
  },
  acceptances: {
    purpose: 'proof that a person accepted the rules (4.13.3)',
    retention: 'deleted on erasure',
    columns: {
      id: none,
      chat_id: shown,
      account_id: idRow,
      rules_version: fact,
      via: fact,
      accepted_at: fact,
    },
  },
  rules: {
    purpose: "the chats' rules",
    retention: 'the author stays as a pseudonymous id',
    columns: { chat_id: none, version: none, text: none, created_by_account_id: idKept, created_at: none },
  },
  outbox: {
    purpose: 'platform actions decided and performed (messages carry names, bans carry platform ids)',
    retention: 'on erasure, performed actions that name the person or carry their platform id are deleted',
    columns: {
      id: none,
      lane: none,
      chat_id: none,
      action: { data: 'json', export: false, erase: 'row' },
      on_done: { data: 'json', export: false, erase: 'row' },
      on_failed: { data: 'json', export: false, erase: 'row' },
      status: none,
      attempts: none,
      max_attempts: none,
      next_attempt_at: none,
      claimed_until: none,
      claim_token: none,
      last_error: { data: 'free_text', export: false, erase: 'row' },
      result: { data: 'json', export: false, erase: 'row' },
      created_at: none,
      completed_at: none,
    },
  },
  processed_updates: {
    purpose: 'ids of updates already handled',
    retention: 'not personal',
    columns: { platform: none, update_key: none, created_at: none },
  },
  destruction_acts: {
    purpose: 'acts of destruction of personal data (152-ФЗ art. 21), with the log extract; no names',
    retention: 'kept as the proof of destruction',
    columns: {
      id: none,
      school_id: none,
      subject_kind: none,
      subject_key: none,
      requested_by: none,
      reason: none,
      at: none,
      categories: none,
      log_extract: none,
      kept: none,
    },
  },
};

/** Columns that hold something about a person (everything but `none`). */
export function personalColumns(table: string): string[] {
  return Object.entries(INVENTORY[table]?.columns ?? {})
    .filter(([, c]) => c.data !== 'none')
    .map(([name]) => name);
}
