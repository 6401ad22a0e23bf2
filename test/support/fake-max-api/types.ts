/**
 * Public types of the fake MAX Bot API: construction options, the wire objects it answers with (names as in
 * max-messenger/api-schema `schema.yaml` 0.0.33), what the read side returns, and fault descriptions.
 */

/** Admin permissions, as the schema's `ChatAdminPermission` enum names them. */
export const ADMIN_PERMISSIONS = [
  'read_all_messages',
  'add_remove_members',
  'add_admins',
  'change_chat_info',
  'pin_message',
  'edit_link',
  'write',
  'edit',
  'delete',
  'can_call',
  'view_stats',
] as const;
export type AdminPermission = (typeof ADMIN_PERMISSIONS)[number];

/** What a moderator bot is usually given: everything but calls and statistics. */
export const MODERATOR_PERMISSIONS: readonly AdminPermission[] = [
  'read_all_messages',
  'add_remove_members',
  'change_chat_info',
  'pin_message',
  'edit_link',
  'write',
  'edit',
  'delete',
];

export interface FakeMaxApiOptions {
  /** The token the server accepts in `Authorization`. Default `max-test-token`. */
  readonly token?: string;
  /** The bot's user_id. Default 9000001. */
  readonly botId?: number;
  readonly botName?: string;
  readonly botUsername?: string;
  /** "Now" for timestamps. Default `new Date()`. */
  readonly clock?: () => Date;
  /** Requests per second per token before 429 (sliding one-second window of real time). Default 30. */
  readonly requestsPerSecond?: number | false;
  /** Deletions of messages per second per chat before 429. Default 2 (reported, not documented). */
  readonly deletionsPerSecondPerChat?: number | false;
  /** Longest a `GET /updates` is held, whatever `timeout` says (ms). Default 90 s, the schema's maximum. */
  readonly maxPollHoldMs?: number;
  /**
   * Whether an admin adding a blocked person (`POST /chats/{id}/members`, or `sim.addMember` with `by`) lifts
   * the block. Undocumented in MAX; default true (as Telegram and VK do). With false the add fails for them.
   */
  readonly addingLiftsBlock?: boolean;
  /** Whether `bot_admin_permissions_changed` also reaches long polling. Reported webhook-only; default false. */
  readonly permissionUpdatesInPolling?: boolean;
  readonly webhook?: WebhookOptions;
}

export interface WebhookOptions {
  /** First retry delay after a failed delivery; doubles each time. Default 100 ms (MAX: exponential, hours). */
  readonly retryBaseMs?: number;
  /** Longest delay between two attempts. Default 2000 ms. */
  readonly retryMaxMs?: number;
  /** Attempts per update before giving up. Default 8 (MAX gives up 8 hours after the update). */
  readonly maxAttempts?: number;
  /** How long one delivery may take. Default 5000 ms. */
  readonly timeoutMs?: number;
  /**
   * Deliver `https://127.0.0.1…`/`https://localhost…` URLs over plain HTTP. The official client always
   * subscribes `https://<domain><path>`, while a test's receiver listens on HTTP. Default true.
   */
  readonly httpsToLoopbackAsHttp?: boolean;
}

/** A person (or the bot) as the API shows them (`User`). */
export interface MaxUser {
  readonly user_id: number;
  readonly first_name: string;
  readonly last_name?: string;
  /** Deprecated by the client in favour of first/last name, still sent by the API. */
  readonly name: string;
  readonly username: string | null;
  readonly is_bot: boolean;
  readonly last_activity_time: number;
}

/** A group chat as the scenario helpers return it. */
export interface ChatRef {
  readonly chatId: number;
  readonly title: string;
}

export type ChatLike = number | { readonly chatId: number };
export type UserLike = number | { readonly user_id: number };

/** One inline keyboard button as sent. */
export interface ButtonView {
  readonly type: string;
  readonly text: string;
  readonly payload?: string;
  readonly url?: string;
}

export interface MessageView {
  readonly mid: string;
  readonly seq: number;
  readonly chatId: number;
  readonly senderId: number;
  readonly text: string | null;
  readonly timestamp: number;
  /** The mid this message replies to (`link.type = reply`). */
  readonly replyTo?: string;
  readonly keyboard?: readonly (readonly ButtonView[])[];
  readonly format?: string;
  /** Texts before each edit, oldest first. */
  readonly edits: readonly (string | null)[];
  readonly deleted: boolean;
  /** Who deleted it (the bot's id when it did). */
  readonly deletedBy?: number;
}

export interface MemberView {
  readonly userId: number;
  readonly isOwner: boolean;
  readonly isAdmin: boolean;
  readonly permissions: readonly AdminPermission[] | null;
  /** Who added them; null when they came by link (or founded the chat). */
  readonly inviterId: number | null;
  readonly joinTime: number;
}

export interface ChatView {
  readonly chatId: number;
  readonly title: string;
  readonly link: string | null;
  readonly isPublic: boolean;
  /** The bot's standing, as `Chat.status` says it. */
  readonly status: 'active' | 'removed' | 'left';
  readonly blocked: readonly number[];
}

/** A wire update (`Update` and its inheritors), as delivered. */
export type WireUpdate = { readonly update_type: string; readonly timestamp: number } & Readonly<
  Record<string, unknown>
>;

/** The answer to a button press (`POST /answers`). */
export interface CallbackAnswerView {
  readonly callbackId: string;
  readonly notification?: string;
  readonly message?: unknown;
  readonly at: number;
}

/**
 * What the fake does instead of (or around) running a call.
 * - `error`: an error answer (`{code, message}`) with this status; nothing happens.
 * - `page`: a non-JSON page with this status, as a gateway in front of the API sends; nothing happens.
 * - `drop`: the connection is closed without an answer; nothing happens.
 * - `delay`: the call is held, then runs and is answered (a client that gave up still gets the effect).
 * - `lost`: the call runs (its effect and updates happen), then the answer is lost: a gateway page with
 *   `status` (default 502; the client reports `unexpected.response`), or a closed connection for `'drop'`.
 */
export type Fault =
  | { readonly kind: 'error'; readonly status: number; readonly code?: string; readonly message?: string }
  | { readonly kind: 'page'; readonly status: number }
  | { readonly kind: 'drop' }
  | { readonly kind: 'delay'; readonly ms: number }
  | { readonly kind: 'lost'; readonly status?: number | 'drop' };

export interface FaultOptions {
  /** How many matching calls meet the fault. Default 1. */
  readonly times?: number;
}

/**
 * Random faults from a seeded generator, drawn for every call of a route not exempt. Rates are 0..1 and are
 * tried in this order: `tooManyRequests` (429), `serverError` (5xx, nothing done), `lost` (done, then 502
 * or a dropped connection, half each).
 */
export interface ChaosOptions {
  readonly seed: number;
  readonly serverError?: number;
  readonly tooManyRequests?: number;
  readonly lost?: number;
  /** Routes chaos leaves alone. Default `['GET /updates', 'GET /me']`. */
  readonly exempt?: readonly string[];
}

/** One API call as the fake answered it. */
export interface CallRecord {
  /** `METHOD /path/{template}`, e.g. `DELETE /chats/{chatId}/members`. */
  readonly route: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly body: unknown;
  /** Real time of arrival (ms), for rate checks. */
  readonly arrivedAt: number;
  /** HTTP status answered, 0 for a dropped connection. */
  readonly status: number;
  /** Error code answered, if any. */
  readonly code?: string;
  /** Which fault it met: `queued:<kind>`, `chaos:<kind>`, `rate-limit`, `delete-rate`. */
  readonly fault?: string;
  /** Whether the call's effect happened. */
  readonly applied: boolean;
}

export interface InjectedFault {
  readonly route: string;
  readonly fault: Fault;
  readonly source: 'queued' | 'chaos';
}

export interface WebhookDelivery {
  readonly url: string;
  readonly updateNumber: number;
  readonly updateType: string;
  readonly attempt: number;
  /** HTTP status, or `'error'` when the receiver could not be reached or timed out. */
  readonly status: number | 'error';
  readonly secretSent: boolean;
}

export interface PollRequest {
  readonly marker: number | undefined;
  readonly limit: number;
  readonly timeoutS: number;
  readonly types: readonly string[] | undefined;
  /** Updates answered (0 while held). */
  returned: number;
}

export interface Stats {
  readonly calls: number;
  /** 429s for the per-token limit. */
  readonly tooManyRequests: number;
  /** 429s for the per-chat deletion limit. */
  readonly deletionsThrottled: number;
  readonly injectedFaults: number;
  /** Most calls accepted within any one-second window. */
  readonly maxCallsPerSecond: number;
}
