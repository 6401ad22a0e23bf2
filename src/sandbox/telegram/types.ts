import type {
  Chat,
  ChatInviteLink,
  InlineKeyboardMarkup,
  Message,
  MessageEntity,
  User,
} from 'telegraf/types';
import type { RateLimits, Refusals } from './fault-types.js';

export * from './fault-types.js';

/** Every `can_*` field of ChatPermissions (Bot API 7.1), in the order Telegram serialises them. */
export const PERMISSION_KEYS = [
  'can_send_messages',
  'can_send_audios',
  'can_send_documents',
  'can_send_photos',
  'can_send_videos',
  'can_send_video_notes',
  'can_send_voice_notes',
  'can_send_polls',
  'can_send_other_messages',
  'can_add_web_page_previews',
  'can_change_info',
  'can_invite_users',
  'can_pin_messages',
  'can_manage_topics',
] as const;
export type PermissionKey = (typeof PERMISSION_KEYS)[number];
/** ChatPermissions with every field present. */
export type Permissions = Record<PermissionKey, boolean>;

/** Every boolean field of ChatAdministratorRights (Bot API 7.1). */
export const ADMIN_RIGHT_KEYS = [
  'is_anonymous',
  'can_manage_chat',
  'can_delete_messages',
  'can_manage_video_chats',
  'can_restrict_members',
  'can_promote_members',
  'can_change_info',
  'can_invite_users',
  'can_post_messages',
  'can_edit_messages',
  'can_pin_messages',
  'can_post_stories',
  'can_edit_stories',
  'can_delete_stories',
  'can_manage_topics',
] as const;
export type AdminRightKey = (typeof ADMIN_RIGHT_KEYS)[number];
/** ChatAdministratorRights with every field present. */
export type AdminRights = Record<AdminRightKey, boolean>;

/** Update kinds a bot can receive (`allowed_updates` names). */
export const UPDATE_TYPES = [
  'message',
  'edited_message',
  'channel_post',
  'edited_channel_post',
  'inline_query',
  'chosen_inline_result',
  'callback_query',
  'shipping_query',
  'pre_checkout_query',
  'poll',
  'poll_answer',
  'my_chat_member',
  'chat_member',
  'chat_join_request',
  'chat_boost',
  'removed_chat_boost',
  'message_reaction',
  'message_reaction_count',
] as const;
export type UpdateType = (typeof UPDATE_TYPES)[number];

/** Status of a user in a chat, as getChatMember reports it. */
export type MemberStatus = 'creator' | 'administrator' | 'member' | 'restricted' | 'left' | 'kicked';

/** Construction options of {@link FakeBotApi}. */
export interface FakeBotApiOptions {
  /** Bot token the server accepts. Default `123:abc`. */
  readonly token?: string;
  /** The bot's username. Default `class_moderator_bot`. */
  readonly botUsername?: string;
  /** The bot's display name. Default `Class Moderator`. */
  readonly botName?: string;
  /** "Now" for message dates, until_date checks, link expiry and join-request windows. Default `new Date()`. */
  readonly clock?: () => Date;
  /** Flood limits (off by default); see {@link TELEGRAM_LIMITS}. */
  readonly limits?: RateLimits;
  /** Webhook delivery tuning. */
  readonly webhook?: {
    /** Delay before redelivering an update the receiver refused (doubles per failure). Default 100 ms. */
    readonly retryDelayMs?: number;
    /** How long to wait for the receiver's answer. Default 5000 ms. */
    readonly timeoutMs?: number;
  };
  /**
   * Privacy mode as set in BotFather. When true and the bot is not an administrator, group messages reach the
   * bot only if they are commands, replies to the bot or service messages. Default false (privacy disabled,
   * which a moderation bot needs).
   */
  readonly privacyMode?: boolean;
  /**
   * The allowed_updates setting the bot starts with, as if it had called getUpdates/setWebhook with this list
   * earlier. Telegram drops updates of a disallowed type when they happen, so a test that creates members before
   * the bot first polls needs this to see their `chat_member` updates. Default: Telegram's default list.
   */
  readonly allowedUpdates?: readonly UpdateType[];
  /**
   * When true, a call of a method to a chat that got a 429 with retry_after, made before that time has passed
   * by the fake's clock, is answered with another 429 for the rest of the wait. Early retries are counted in
   * {@link Stats.earlyRetries} either way. Default false.
   */
  readonly enforceRetryAfter?: boolean;
  /** Refusals Telegram gives on its own (callback queries that are too old, approvals that cannot be). */
  readonly refusals?: Refusals;
}

/** One Bot API call the fake answered. */
export interface CallRecord {
  /** Canonical method name (`getChatMembersCount` is recorded as `getChatMemberCount`). */
  readonly method: string;
  /** The name as the client spelled it, when it differs from `method`. */
  readonly calledAs?: string;
  /** Parameters as received; JSON-encoded fields (reply_markup, permissions, …) are decoded. */
  readonly params: Readonly<Record<string, unknown>>;
  /** When the call arrived, by the fake's clock. */
  readonly at: Date;
  readonly ok: boolean;
  readonly errorCode?: number;
  readonly description?: string;
  /** `http` for requests, `webhook-reply` for a method returned in a webhook response body. */
  readonly via: 'http' | 'webhook-reply';
  /**
   * Set when an indeterminate fault lost the answer: what the method itself had answered (on success its effect
   * stays). `ok`, `errorCode` and `description` above are what the client got.
   */
  readonly lostAnswer?: { readonly ok: boolean; readonly errorCode?: number; readonly description?: string };
}

/** One attempt to deliver an update to the webhook. */
export interface WebhookDelivery {
  readonly update_id: number;
  /** HTTP status of the receiver's answer, or `error` when the request failed (refused, timed out, reset). */
  readonly status: number | 'error';
  readonly error?: string;
  readonly at: Date;
}

/** A member's standing in a chat, for assertions. */
export interface MemberView {
  readonly user: User;
  readonly status: MemberStatus;
  /** True for creator, administrator, member, and restricted members still in the chat. */
  readonly is_member: boolean;
  /** The member's own permissions, when restricted. */
  readonly permissions?: Permissions;
  /** For restricted and kicked: unix time the restriction ends, 0 = forever. */
  readonly until_date?: number;
  /** For administrators. */
  readonly rights?: AdminRights;
}

/** One version of a message's editable content. */
export interface MessageVersion {
  readonly text: string;
  readonly entities: readonly MessageEntity[];
  readonly reply_markup: InlineKeyboardMarkup | undefined;
  /** Unix time this version appeared (send date, then edit dates). */
  readonly date: number;
}

/** A stored message with the fake's bookkeeping, for assertions. */
export interface RecordedMessage {
  readonly message_id: number;
  readonly chat_id: number;
  readonly date: number;
  readonly from: User;
  readonly sender_chat?: Chat;
  /** Current text (after edits), for text messages. */
  readonly text?: string;
  readonly entities?: readonly MessageEntity[];
  readonly reply_markup?: InlineKeyboardMarkup;
  readonly reply_to_message_id?: number;
  /** Name of the service field (`new_chat_members`, `left_chat_member`, `migrate_to_chat_id`, …) for service messages. */
  readonly service?: string;
  readonly edit_date?: number;
  readonly fromBot: boolean;
  readonly deleted: boolean;
  /** Every version of the text and keyboard, oldest first; the last one is current. Empty for service messages. */
  readonly history: readonly MessageVersion[];
  /** The message as the Bot API would serialise it now. */
  readonly raw: Message;
}

/** A join request and what became of it. */
export interface JoinRequestView {
  readonly user: User;
  readonly user_chat_id: number;
  readonly date: number;
  readonly invite_link: string;
  readonly status: 'pending' | 'approved' | 'declined';
}

/** An invite link with the number of people who joined through it. */
export type InviteLinkView = ChatInviteLink & { readonly joined_count: number };

/** Chat data for assertions. */
export interface ChatView {
  readonly id: number;
  readonly type: 'private' | 'group' | 'supergroup';
  readonly title?: string;
  readonly username?: string;
  readonly permissions: Permissions;
  /** Set on a basic group that was upgraded. */
  readonly migrated_to_chat_id?: number;
  /** Set on the supergroup a basic group became. */
  readonly migrated_from_chat_id?: number;
  readonly member_count: number;
}
