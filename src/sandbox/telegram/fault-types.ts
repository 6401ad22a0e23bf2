/**
 * Options and counters of the fake's failure modes: queued faults, chaos, flood limits, retry_after discipline,
 * duplicated and late updates, and the refusals Telegram gives on its own. Every mode is off by default unless
 * its documentation says otherwise.
 */

/**
 * Telegram's documented flood limits, to pass as `limits` when a test wants them:
 * about 1 message per second in a chat, 20 per minute in a group, 30 per second overall.
 */
export const TELEGRAM_LIMITS: Readonly<RateLimits> = {
  perChatPerSecond: 1,
  perChatPerMinute: 20,
  globalPerSecond: 30,
};

/**
 * Telegram's message limits applied to member actions too (bans, unbans, restrictions, deletions, join
 * requests; counted apart from messages, with the same figures): Telegram publishes none for them, and a bot
 * that paces only its messages must not look clean in a bench where it bans or lifts hundreds at once.
 */
export const TELEGRAM_LIMITS_EVERY_METHOD: Readonly<RateLimits> = {
  ...TELEGRAM_LIMITS,
  memberActions: { perChatPerSecond: 1, perChatPerMinute: 20, globalPerSecond: 30 },
};

/** Flood limits the fake enforces in real time; each is off unless given. */
export interface RateLimits {
  /** Messages per minute into one group or supergroup (Telegram: 20). Private chats are not counted. */
  readonly perChatPerMinute?: number;
  /** Messages per second across all chats (Telegram: about 30). */
  readonly globalPerSecond?: number;
  /** Messages per second into one chat of any kind (Telegram: about 1, bursts tolerated). */
  readonly perChatPerSecond?: number;
  /** Methods counted besides the message-producing ones (`send*` except sendChatAction, copy/forward). */
  readonly countMethods?: readonly string[];
  /**
   * Limits on member actions, counted apart from messages. Telegram publishes no figures for these, so there is
   * no preset: pick what a test needs, e.g. `{ perChatPerSecond: 2, globalPerSecond: 10 }`.
   */
  readonly memberActions?: MemberActionLimits;
}

/** The methods {@link MemberActionLimits} count unless told otherwise. */
export const MEMBER_ACTION_METHODS: readonly string[] = [
  'restrictChatMember',
  'banChatMember',
  'unbanChatMember',
  'approveChatJoinRequest',
  'declineChatJoinRequest',
  'deleteMessage',
  'deleteMessages',
];

/** Sliding-window limits (real time) on member actions; beyond them a call answers 429 with retry_after. */
export interface MemberActionLimits {
  /** Actions per second in one chat. */
  readonly perChatPerSecond?: number;
  /** Actions per minute in one chat. */
  readonly perChatPerMinute?: number;
  /** Actions per second across all chats. */
  readonly globalPerSecond?: number;
  /** Methods counted. Default {@link MEMBER_ACTION_METHODS}. */
  readonly methods?: readonly string[];
}

/** What {@link FakeBotApi.fail} makes a matching call answer. */
export type Fault =
  /** Answered before the method runs: state never changes. */
  | { readonly status: 429; readonly retryAfter: number }
  | { readonly status: 500 | 502 | 503 }
  | { readonly status: 400 | 403; readonly description: string }
  /**
   * Holds the request for `timeoutMs` (real time). Then, by default, the call is performed and answered
   * normally, even if the client gave up meanwhile (as on Telegram, where a slow call may still take effect).
   * With `drop: true` the socket is destroyed instead and nothing is performed.
   */
  | { readonly timeoutMs: number; readonly drop?: boolean }
  /**
   * Indeterminate: the method runs (its effect stays: the message is sent, the member restricted, the request
   * approved …) and then the answer is lost. A status answers that 5xx; `'timeout'` holds the connection
   * `holdMs` (real time, default 0) and then destroys it, so the client sees a reset, or its own timeout when
   * `holdMs` is longer than the client waits.
   */
  | { readonly indeterminate: 500 | 502 | 503 | 'timeout'; readonly holdMs?: number };

/** Which calls a queued fault applies to. */
export interface FaultOptions {
  /** How many matching calls fail. Default 1; `Infinity` until {@link FakeBotApi.clearFaults}. */
  readonly times?: number;
  /** Only calls whose `chat_id` equals this. */
  readonly chatId?: number | string;
}

/** Probabilistic failures for fault suites; reproducible for a given seed and call sequence. */
export interface ChaosOptions {
  /** Share of eligible calls answered with a 5xx before they run. */
  readonly rate5xx?: number;
  /** Share of eligible calls answered with a 429 before they run. */
  readonly rate429?: number;
  /** Share of eligible calls that run and then lose their answer (see the `indeterminate` {@link Fault}). */
  readonly rateIndeterminate?: number;
  /**
   * How a chaos indeterminate answer is lost: `'5xx'` (with `status5xx`), `'timeout'`, or `'both'` (half each,
   * decided by the same draw, so the sequence of draws does not change). Default `'both'`.
   */
  readonly indeterminateAs?: '5xx' | 'timeout' | 'both';
  /** How long a chaos indeterminate timeout holds the connection, in ms. Default 0. */
  readonly indeterminateHoldMs?: number;
  /** `retry_after` of chaos 429s, in seconds. Default 1. */
  readonly retryAfter?: number;
  /** Status of chaos 5xx answers. Default 502. */
  readonly status5xx?: 500 | 502 | 503;
  readonly seed: number;
  /** Methods that may fail. Default: every method except getUpdates, setWebhook, deleteWebhook, getWebhookInfo. */
  readonly methods?: readonly string[];
}

/**
 * Duplicated updates (see {@link FakeBotApi.duplicateUpdates}): a share of new updates is delivered twice with the
 * same update_id.
 */
export interface DuplicateOptions {
  /** Share of new updates (0–1) that get a second copy. */
  readonly rate: number;
  readonly seed: number;
  /**
   * Holds the copy back instead of queueing it right behind the original: it is released after `afterUpdates`
   * more updates were created or `afterMs` ms (real time) passed, whichever comes first; with neither, only by
   * {@link FakeBotApi.redeliverHeld}. A released copy ignores getUpdates offsets until a getUpdates answer
   * carried it and the bot confirmed that answer, so it also reaches a bot that restarted or moved its offset on.
   */
  readonly hold?: { readonly afterUpdates?: number; readonly afterMs?: number };
}

/** Refusals Telegram gives on its own, beyond the fake's always-on checks. */
export interface Refusals {
  /**
   * answerCallbackQuery more than this many seconds after the press (by the fake's clock) fails with
   * `400 Bad Request: query is too old and response timeout expired or query ID is invalid`, telegram-bot-api's
   * text for the server's QUERY_ID_INVALID (tdlib/telegram-bot-api, Client.cpp). Telegram documents no window;
   * bots report expiry after some 10–15 s (eternnoir/pyTelegramBotAPI#1615, LonamiWebs/Telethon#4073).
   * Default 15; `Infinity` turns it off.
   */
  readonly callbackQuerySeconds?: number;
  /**
   * approveChatJoinRequest of a user already in the chat fails with `400 Bad Request: USER_ALREADY_PARTICIPANT`
   * (core.telegram.org/method/messages.hideChatJoinRequest: "The user is already in the group"; telegram-bot-api
   * passes the code through). Default true.
   */
  readonly approveParticipant?: boolean;
  /**
   * approveChatJoinRequest of a user banned from the chat (the bot banned them while the request waited).
   * messages.hideChatJoinRequest documents no error for this case, so the test chooses: `'admit'` (default: the
   * fake's earlier behaviour, the user joins), or a 400 with one of two plausible codes: `'USER_KICKED'` (what
   * channels.inviteToChannel documents for "This user was kicked from this supergroup/channel") or
   * `'HIDE_REQUESTER_MISSING'` (as if the ban had dismissed the request: "The join request was missing or was
   * already handled").
   */
  readonly approveBanned?: 'admit' | 'USER_KICKED' | 'HIDE_REQUESTER_MISSING';
}

/** Kinds of injected failures, as counted in {@link Stats.faultsByKind}. */
export type FaultKind =
  | 'status5xx'
  | 'status429'
  | 'status4xx'
  | 'timeoutDrop'
  | 'indeterminate5xx'
  | 'indeterminateTimeout';

/** A call that came before the retry_after of a 429 for the same method and chat had passed. */
export interface EarlyRetry {
  /** Canonical method name. */
  readonly method: string;
  /** `chat_id` as the call sent it (answerCallbackQuery: the pressed message's chat); `''` when it had none. */
  readonly chatId: string;
  /** When it came, by the fake's clock. */
  readonly at: Date;
  /** How much sooner than allowed it came, in ms. */
  readonly earlyByMs: number;
  /** True when the fake answered it with another 429 (`enforceRetryAfter`). */
  readonly refused: boolean;
}

/** Update counters, reset with the rest of {@link Stats}. */
export interface UpdateStats {
  /** Updates created for the bot. */
  readonly created: number;
  /** Of them, how many got a second copy ({@link DuplicateOptions}). */
  readonly duplicated: number;
  /** Copies held back right now. */
  readonly held: number;
  /** Held copies released into the queue so far. */
  readonly redelivered: number;
  /** Webhook deliveries repeated after the receiver answered non-2xx or the request failed. */
  readonly webhookRetries: number;
}

/** Counters since start or the last {@link FakeBotApi.resetStats}, in one object a suite can print. */
export interface Stats {
  readonly calls: number;
  readonly failedCalls: number;
  /** Every 429 sent: rate limits, queued faults, chaos and early retries. */
  readonly tooManyRequests: number;
  /** 429s caused by {@link RateLimits} (messages and member actions). */
  readonly rateLimited: number;
  /** Of `rateLimited`, those caused by {@link RateLimits.memberActions}. */
  readonly rateLimitedMemberActions: number;
  /** Calls failed by {@link Fault}s and chaos, indeterminate ones included. */
  readonly injectedFaults: number;
  /** `injectedFaults` by kind; the kinds add up to `injectedFaults`. */
  readonly faultsByKind: Readonly<Record<FaultKind, number>>;
  /** Calls that ran and then lost their answer, by canonical method name. */
  readonly indeterminateFaults: Readonly<Record<string, number>>;
  /** Calls made before a 429's retry_after had passed, oldest first (counted whether or not enforced). */
  readonly earlyRetries: readonly EarlyRetry[];
  readonly updates: UpdateStats;
}
