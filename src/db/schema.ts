import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const createdAt = () => ts('created_at').notNull().defaultNow();

/** A school: the tenant. One is created by default; the roster API addresses schools by token. */
export const schools = pgTable('schools', {
  id: serial('id').primaryKey(),
  name: text('name').notNull(),
  /** What a moderator types to attach a chat to this school (`/settings school <code>`). */
  code: text('code').unique(),
  /** Personal invitations not claimed within this many days are revoked (regulation 4.11.2). */
  inviteDays: integer('invite_days').notNull().default(14),
  createdAt: createdAt(),
});

/** A group chat the bot was added to. `settings` is validated by `ChatSettings` (src/moderation/settings.ts). */
export const chats = pgTable(
  'chats',
  {
    id: serial('id').primaryKey(),
    schoolId: integer('school_id')
      .notNull()
      .references(() => schools.id),
    platform: text('platform').notNull(),
    platformChatId: text('platform_chat_id').notNull(),
    type: text('type').notNull(),
    title: text('title').notNull().default(''),
    settings: jsonb('settings').notNull().default(sql`'{}'::jsonb`),
    /** The bot's own standing: member, administrator, left or kicked. */
    botStatus: text('bot_status').notNull(),
    botRights: jsonb('bot_rights').notNull().default(sql`'{}'::jsonb`),
    adminsRefreshedAt: ts('admins_refreshed_at'),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('chats_platform_chat_uq').on(t.platform, t.platformChatId)],
);

/** A person's account on a messenger (not yet a roster person). */
export const accounts = pgTable(
  'accounts',
  {
    id: serial('id').primaryKey(),
    platform: text('platform').notNull(),
    platformUserId: text('platform_user_id').notNull(),
    firstName: text('first_name').notNull().default(''),
    lastName: text('last_name'),
    username: text('username'),
    languageCode: text('language_code'),
    isBot: boolean('is_bot').notNull().default(false),
    /** The person wrote to the bot in private, so the bot may message them there. */
    privateChatOpen: boolean('private_chat_open').notNull().default(false),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('accounts_platform_user_uq').on(t.platform, t.platformUserId)],
);

/** Who is in which chat, as far as the bot has seen (Telegram has no member list). */
export const chatMembers = pgTable(
  'chat_members',
  {
    chatId: integer('chat_id')
      .notNull()
      .references(() => chats.id, { onDelete: 'cascade' }),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
    /** member, restricted, left or kicked (admins are members too; see chat_admins). */
    status: text('status').notNull(),
    joinedAt: ts('joined_at'),
    leftAt: ts('left_at'),
    firstSeenAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.chatId, t.accountId] }),
    index('chat_members_account_idx').on(t.accountId),
  ],
);

/** The chat's administrators — its moderators — as last read from the platform. */
export const chatAdmins = pgTable(
  'chat_admins',
  {
    chatId: integer('chat_id')
      .notNull()
      .references(() => chats.id, { onDelete: 'cascade' }),
    platformUserId: text('platform_user_id').notNull(),
    accountId: integer('account_id').references(() => accounts.id),
    status: text('status').notNull(),
    isAnonymous: boolean('is_anonymous').notNull().default(false),
    refreshedAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.chatId, t.platformUserId] })],
);

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

/** Updates that changed state, so a redelivered one is dropped. */
export const processedUpdates = pgTable(
  'processed_updates',
  {
    platform: text('platform').notNull(),
    updateKey: text('update_key').notNull(),
    processedAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.platform, t.updateKey] }),
    index('processed_updates_at_idx').on(t.processedAt),
  ],
);

/**
 * Append-only record of every moderation action and why (regulation 4.13.7). A trigger in the
 * migrations refuses UPDATE and DELETE.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: ts('at').notNull(),
    schoolId: integer('school_id').references(() => schools.id),
    chatId: integer('chat_id').references(() => chats.id),
    /** moderator, member, system or roster */
    actorKind: text('actor_kind').notNull(),
    actorAccountId: integer('actor_account_id').references(() => accounts.id),
    actorName: text('actor_name'),
    action: text('action').notNull(),
    targetAccountId: integer('target_account_id').references(() => accounts.id),
    ruleNumber: integer('rule_number'),
    reason: text('reason'),
    details: jsonb('details').notNull().default(sql`'{}'::jsonb`),
  },
  (t) => [index('audit_log_chat_idx').on(t.chatId, t.id)],
);

/**
 * Durable outbox of platform actions. Actions of one `lane` (a chat) run in order; a claim is a lease
 * (`claimed_until`), so work of a crashed process becomes claimable again.
 */
export const outbox = pgTable(
  'outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    lane: text('lane').notNull(),
    chatId: integer('chat_id').references(() => chats.id, { onDelete: 'set null' }),
    action: jsonb('action').notNull(),
    /** What to record when the action succeeds or finally fails (a named handler and its arguments). */
    onDone: jsonb('on_done'),
    onFailed: jsonb('on_failed'),
    /** pending, done, failed or cancelled */
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull(),
    nextAttemptAt: ts('next_attempt_at').notNull(),
    claimedUntil: ts('claimed_until'),
    claimToken: text('claim_token'),
    lastError: text('last_error'),
    result: jsonb('result'),
    createdAt: ts('created_at').notNull(),
    completedAt: ts('completed_at'),
  },
  (t) => [
    index('outbox_pending_idx').on(t.nextAttemptAt, t.id).where(sql`status = 'pending'`),
    index('outbox_lane_pending_idx').on(t.lane, t.id).where(sql`status = 'pending'`),
  ],
);

/** A block (regulation 4.13.5): read-only (`mute`) or removed (`ban`) until `ends_at`, at most a month. */
export const blocks = pgTable(
  'blocks',
  {
    id: serial('id').primaryKey(),
    chatId: integer('chat_id')
      .notNull()
      .references(() => chats.id, { onDelete: 'cascade' }),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
    mode: text('mode').notNull(),
    startsAt: ts('starts_at').notNull(),
    endsAt: ts('ends_at').notNull(),
    /**
     * active (decided; applied on the platform once `applied_at` is set), lifting (the lift is being
     * performed), lifted, or failed (the platform refused to apply it; nobody is blocked).
     */
    status: text('status').notNull(),
    appliedAt: ts('applied_at'),
    /** term, vote or correction */
    liftReason: text('lift_reason'),
    liftedAt: ts('lifted_at'),
    liftFailures: integer('lift_failures').notNull().default(0),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [
    // The scheduled lift looks only at running blocks, by when they end.
    index('blocks_due_idx').on(t.endsAt).where(sql`status = 'active'`),
    // At most one running block per member and chat.
    uniqueIndex('blocks_live_uq').on(t.chatId, t.accountId).where(sql`status in ('active', 'lifting')`),
  ],
);

/** A strike a moderator issued, citing a rule (regulation 4.13.7: no strike without a rule). */
export const strikes = pgTable(
  'strikes',
  {
    id: serial('id').primaryKey(),
    chatId: integer('chat_id')
      .notNull()
      .references(() => chats.id, { onDelete: 'cascade' }),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
    moderatorAccountId: integer('moderator_account_id').references(() => accounts.id),
    moderatorName: text('moderator_name').notNull(),
    ruleNumber: integer('rule_number').notNull(),
    ruleText: text('rule_text').notNull(),
    rulesVersion: integer('rules_version').notNull(),
    reason: text('reason'),
    /** The offending message: Telegram lets us delete it later, so an excerpt is kept as evidence. */
    messageId: text('message_id'),
    messageExcerpt: text('message_excerpt'),
    createdAt: ts('created_at').notNull(),
    revokedAt: ts('revoked_at'),
    revokedByAccountId: integer('revoked_by_account_id').references(() => accounts.id),
    /** The block this strike led to; it stops counting when that block has ended. */
    blockId: integer('block_id').references(() => blocks.id),
  },
  (t) => [index('strikes_member_idx').on(t.chatId, t.accountId, t.createdAt)],
);

/** Invite links the bot created (join-request links for the rules gate; personal ones for the roster). */
export const inviteLinks = pgTable(
  'invite_links',
  {
    id: serial('id').primaryKey(),
    chatId: integer('chat_id')
      .notNull()
      .references(() => chats.id, { onDelete: 'cascade' }),
    url: text('url').notNull(),
    name: text('name').notNull(),
    /** chat (a moderator's /invite) or personal (a roster invitation) */
    kind: text('kind').notNull(),
    createdByAccountId: integer('created_by_account_id').references(() => accounts.id),
    /** For a personal link: the invitation it was made for. */
    invitationId: integer('invitation_id'),
    createdAt: ts('created_at').notNull(),
    expiresAt: ts('expires_at'),
    revokedAt: ts('revoked_at'),
  },
  (t) => [uniqueIndex('invite_links_url_uq').on(t.url)],
);

/** A request to join through a join-request link: approved only once the applicant accepts the rules. */
export const joinRequests = pgTable(
  'join_requests',
  {
    id: serial('id').primaryKey(),
    chatId: integer('chat_id')
      .notNull()
      .references(() => chats.id, { onDelete: 'cascade' }),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
    /** Where the bot writes to the applicant (Telegram's user_chat_id). */
    privateChatId: text('private_chat_id').notNull(),
    inviteLink: text('invite_link'),
    /** pending, accepted (approval under way), approved, declined or expired */
    status: text('status').notNull(),
    rulesVersion: integer('rules_version').notNull(),
    /** The private message with the rules and the button. */
    messageId: text('message_id'),
    requestedAt: ts('requested_at').notNull(),
    expiresAt: ts('expires_at').notNull(),
    decidedAt: ts('decided_at'),
  },
  (t) => [
    uniqueIndex('join_requests_open_uq')
      .on(t.chatId, t.accountId)
      .where(sql`status in ('pending', 'accepted')`),
    index('join_requests_due_idx').on(t.expiresAt).where(sql`status = 'pending'`),
  ],
);

/** One greeting message in the chat, shared by the newcomers who arrived within a minute of each other. */
export const greetings = pgTable('greetings', {
  id: serial('id').primaryKey(),
  chatId: integer('chat_id')
    .notNull()
    .references(() => chats.id, { onDelete: 'cascade' }),
  messageId: text('message_id'),
  /** Whether newcomers must press the button (the rules gate was on when it was posted). */
  gated: boolean('gated').notNull(),
  /** Newcomer ids the posted text names, so a later newcomer triggers an edit. */
  rendered: jsonb('rendered').notNull().default(sql`'[]'::jsonb`),
  createdAt: ts('created_at').notNull(),
  closedAt: ts('closed_at'),
});

/** A newcomer who arrived without a join request and is read-only until they accept the rules. */
export const gateEntries = pgTable(
  'gate_entries',
  {
    id: serial('id').primaryKey(),
    chatId: integer('chat_id')
      .notNull()
      .references(() => chats.id, { onDelete: 'cascade' }),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
    greetingId: integer('greeting_id').references(() => greetings.id),
    /** pending, accepted or left */
    status: text('status').notNull(),
    joinedAt: ts('joined_at').notNull(),
    decidedAt: ts('decided_at'),
  },
  (t) => [
    uniqueIndex('gate_entries_pending_uq').on(t.chatId, t.accountId).where(sql`status = 'pending'`),
    index('gate_entries_greeting_idx').on(t.greetingId),
  ],
);

/** Proof that a person accepted a version of a chat's rules (regulation 4.13.3). */
export const acceptances = pgTable(
  'acceptances',
  {
    id: serial('id').primaryKey(),
    chatId: integer('chat_id')
      .notNull()
      .references(() => chats.id, { onDelete: 'cascade' }),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
    rulesVersion: integer('rules_version').notNull(),
    /** join_request, greeting or confirm */
    via: text('via').notNull(),
    acceptedAt: ts('accepted_at').notNull(),
  },
  (t) => [uniqueIndex('acceptances_uq').on(t.chatId, t.accountId, t.rulesVersion)],
);

/** A blocked member's apology to the chat (regulation 4.13.6), made privately or recorded by a moderator. */
export const apologies = pgTable(
  'apologies',
  {
    id: serial('id').primaryKey(),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
    /** Null while the member, blocked in several chats, has not yet said which one it is for. */
    blockId: integer('block_id').references(() => blocks.id),
    text: text('text').notNull(),
    /** member or moderator */
    recordedBy: text('recorded_by').notNull(),
    recordedByAccountId: integer('recorded_by_account_id').references(() => accounts.id),
    /** The chat message telling members about the apology; replying /unblock to it opens the vote. */
    announcementMessageId: text('announcement_message_id'),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [index('apologies_block_idx').on(t.blockId)],
);

/** An objection vote on early reinstatement. One open vote per block. */
export const votes = pgTable(
  'votes',
  {
    id: serial('id').primaryKey(),
    chatId: integer('chat_id')
      .notNull()
      .references(() => chats.id, { onDelete: 'cascade' }),
    blockId: integer('block_id')
      .notNull()
      .references(() => blocks.id),
    apologyId: integer('apology_id')
      .notNull()
      .references(() => apologies.id),
    openedByAccountId: integer('opened_by_account_id').references(() => accounts.id),
    openedAt: ts('opened_at').notNull(),
    closesAt: ts('closes_at').notNull(),
    /** open or closed */
    status: text('status').notNull(),
    /** unblocked, kept or moot */
    outcome: text('outcome'),
    objections: integer('objections').notNull().default(0),
    noObjections: integer('no_objections').notNull().default(0),
    messageId: text('message_id'),
    /** Votes changed since the message was last edited; edits are spaced out (Telegram's limits). */
    renderNeeded: boolean('render_needed').notNull().default(false),
    renderedAt: ts('rendered_at'),
    closedAt: ts('closed_at'),
  },
  (t) => [
    uniqueIndex('votes_open_uq').on(t.blockId).where(sql`status = 'open'`),
    index('votes_due_idx').on(t.closesAt).where(sql`status = 'open'`),
    index('votes_render_idx').on(t.renderedAt).where(sql`render_needed`),
  ],
);

/** Who may vote: the chat's members when the vote opened, other than the blocked member. */
export const voteVoters = pgTable(
  'vote_voters',
  {
    voteId: integer('vote_id')
      .notNull()
      .references(() => votes.id, { onDelete: 'cascade' }),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
  },
  (t) => [primaryKey({ columns: [t.voteId, t.accountId] })],
);

/** Each voter's current choice; changing it replaces the row (the audit log keeps every change). */
export const ballots = pgTable(
  'ballots',
  {
    voteId: integer('vote_id')
      .notNull()
      .references(() => votes.id, { onDelete: 'cascade' }),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
    /** object or no_objection */
    choice: text('choice').notNull(),
    castAt: ts('cast_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.voteId, t.accountId] })],
);

/** A school's API token for the roster system. Only a hash is stored; the token is shown once. */
export const schoolTokens = pgTable('school_tokens', {
  id: serial('id').primaryKey(),
  schoolId: integer('school_id')
    .notNull()
    .references(() => schools.id),
  label: text('label').notNull().default(''),
  secretHash: text('secret_hash').notNull(),
  createdAt: ts('created_at').notNull(),
  revokedAt: ts('revoked_at'),
  lastUsedAt: ts('last_used_at'),
});

/** A student, guardian or employee as the school's roster knows them, keyed by the school's own id. */
export const persons = pgTable(
  'persons',
  {
    id: serial('id').primaryKey(),
    schoolId: integer('school_id')
      .notNull()
      .references(() => schools.id),
    /** student, guardian or staff */
    kind: text('kind').notNull(),
    externalId: text('external_id').notNull(),
    name: text('name'),
    /** The student's class (students only). */
    classCode: text('class_code'),
    /** active or departed */
    status: text('status').notNull(),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('persons_external_uq').on(t.schoolId, t.kind, t.externalId),
    index('persons_class_idx').on(t.schoolId, t.classCode),
  ],
);

/** Which guardian has which child; a guardian may have several. */
export const guardianships = pgTable(
  'guardianships',
  {
    guardianId: integer('guardian_id')
      .notNull()
      .references(() => persons.id),
    studentId: integer('student_id')
      .notNull()
      .references(() => persons.id),
  },
  (t) => [
    primaryKey({ columns: [t.guardianId, t.studentId] }),
    index('guardianships_student_idx').on(t.studentId),
  ],
);

/** A messenger account linked to a roster person (by a personal invitation or by a moderator). */
export const personAccounts = pgTable(
  'person_accounts',
  {
    personId: integer('person_id')
      .notNull()
      .references(() => persons.id),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
    /** invitation or moderator */
    linkedBy: text('linked_by').notNull(),
    linkedAt: ts('linked_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.personId, t.accountId] }),
    index('person_accounts_account_idx').on(t.accountId),
  ],
);

/** Roster events as received, so a repeated event id is applied once. */
export const rosterEvents = pgTable(
  'roster_events',
  {
    id: serial('id').primaryKey(),
    schoolId: integer('school_id')
      .notNull()
      .references(() => schools.id),
    eventId: text('event_id').notNull(),
    type: text('type').notNull(),
    payload: jsonb('payload').notNull(),
    /** events (POST), snapshot (PUT) or csv */
    source: text('source').notNull(),
    receivedAt: ts('received_at').notNull(),
  },
  (t) => [uniqueIndex('roster_events_uq').on(t.schoolId, t.eventId)],
);

/** A personal invitation: a code the person sends the bot (`/start <code>`) to link their account. */
export const invitations = pgTable(
  'invitations',
  {
    id: serial('id').primaryKey(),
    schoolId: integer('school_id')
      .notNull()
      .references(() => schools.id),
    personId: integer('person_id')
      .notNull()
      .references(() => persons.id),
    code: text('code').notNull(),
    createdAt: ts('created_at').notNull(),
    expiresAt: ts('expires_at').notNull(),
    claimedAt: ts('claimed_at'),
    claimedByAccountId: integer('claimed_by_account_id').references(() => accounts.id),
    revokedAt: ts('revoked_at'),
  },
  (t) => [
    uniqueIndex('invitations_code_uq').on(t.code),
    index('invitations_due_idx').on(t.expiresAt).where(sql`claimed_at is null and revoked_at is null`),
  ],
);

/**
 * Removing one account from one chat because the roster said so (regulation 4.13.8): a durable job
 * carried out through the outbox, summarised once per chat and batch.
 */
export const removals = pgTable(
  'removals',
  {
    id: serial('id').primaryKey(),
    schoolId: integer('school_id')
      .notNull()
      .references(() => schools.id),
    chatId: integer('chat_id')
      .notNull()
      .references(() => chats.id, { onDelete: 'cascade' }),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
    personId: integer('person_id')
      .notNull()
      .references(() => persons.id),
    /** The student whose departure or transfer caused it (for a guardian), so re-enrolment can undo it. */
    causeStudentId: integer('cause_student_id').references(() => persons.id),
    rosterEventId: integer('roster_event_id')
      .notNull()
      .references(() => rosterEvents.id),
    /** One roster request: its removals in one chat get one summary message. */
    batch: text('batch').notNull(),
    reason: text('reason').notNull(),
    /** pending, done, failed or lifted (re-enrolment unbanned them) */
    status: text('status').notNull(),
    error: text('error'),
    createdAt: ts('created_at').notNull(),
    doneAt: ts('done_at'),
  },
  (t) => [
    index('removals_batch_idx').on(t.batch, t.chatId),
    index('removals_account_idx').on(t.chatId, t.accountId),
    index('removals_person_idx').on(t.personId),
  ],
);
