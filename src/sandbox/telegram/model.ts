import type { InlineKeyboardMarkup, LinkPreviewOptions, MessageEntity, User } from 'telegraf/types';
import {
  ADMIN_RIGHT_KEYS,
  type AdminRights,
  type MessageVersion,
  PERMISSION_KEYS,
  type PermissionKey,
  type Permissions,
} from './types.js';

/** A user's standing in one chat. Restricted and kicked carry `untilDate` (unix seconds, 0 = forever). */
export type MemberState =
  | { readonly status: 'creator'; readonly isAnonymous: boolean }
  | { readonly status: 'administrator'; readonly rights: AdminRights; readonly canBeEdited: boolean }
  | { readonly status: 'member' }
  | {
      readonly status: 'restricted';
      readonly permissions: Permissions;
      readonly isMember: boolean;
      readonly untilDate: number;
    }
  | { readonly status: 'left' }
  | { readonly status: 'kicked'; readonly untilDate: number };

export const LEFT: MemberState = { status: 'left' };
export const MEMBER: MemberState = { status: 'member' };

/** Content of a service message. */
export type ServiceContent =
  | { readonly kind: 'new_chat_members'; readonly users: readonly User[] }
  | { readonly kind: 'left_chat_member'; readonly user: User }
  | { readonly kind: 'migrate_to_chat_id'; readonly chatId: number }
  | { readonly kind: 'migrate_from_chat_id'; readonly chatId: number };

export interface MemberEntry {
  readonly user: User;
  state: MemberState;
}

export interface MessageRecord {
  readonly chatId: number;
  readonly messageId: number;
  readonly date: number;
  readonly from: User;
  /** The chat an anonymous administrator posted as. */
  readonly senderChatId: number | undefined;
  readonly service: ServiceContent | undefined;
  readonly replyToId: number | undefined;
  readonly fromBot: boolean;
  readonly protectContent: boolean;
  readonly linkPreviewOptions: LinkPreviewOptions | undefined;
  /** Text versions, oldest first; empty for service messages. */
  readonly versions: MessageVersion[];
  editDate: number | undefined;
  deleted: boolean;
}

export interface InviteLinkRecord {
  readonly link: string;
  readonly creator: User;
  readonly createsJoinRequest: boolean;
  readonly isPrimary: boolean;
  readonly name: string | undefined;
  /** Unix time; undefined = never. */
  readonly expireDate: number | undefined;
  readonly memberLimit: number | undefined;
  revoked: boolean;
  joined: number;
}

export interface JoinRequestRecord {
  readonly user: User;
  readonly date: number;
  readonly link: InviteLinkRecord;
  status: 'pending' | 'approved' | 'declined';
}

export interface ChatRecord {
  readonly id: number;
  type: 'private' | 'group' | 'supergroup';
  readonly title: string;
  readonly username: string | undefined;
  /** Default permissions of members (groups); unused for private chats. */
  permissions: Permissions;
  readonly members: Map<number, MemberEntry>;
  readonly messages: Map<number, MessageRecord>;
  nextMessageId: number;
  readonly inviteLinks: InviteLinkRecord[];
  readonly joinRequests: JoinRequestRecord[];
  migratedTo: number | undefined;
  readonly migratedFrom: number | undefined;
  readonly chatInstance: string;
  /** The other party of a private chat. */
  readonly privateUser: User | undefined;
}

export interface CallbackQueryRecord {
  readonly id: string;
  readonly from: User;
  readonly chatId: number;
  readonly messageId: number;
  readonly data: string;
  /** When the press happened, in ms by the fake's clock. */
  readonly pressedAtMs: number;
  answer: CallbackAnswer | undefined;
}

/** What the bot answered to a button press. */
export interface CallbackAnswer {
  readonly text?: string;
  readonly show_alert?: boolean;
  readonly url?: string;
  readonly cache_time?: number;
}

/** Text content of a message after formatting. */
export interface TextContent {
  readonly text: string;
  readonly entities: readonly MessageEntity[];
  readonly replyMarkup: InlineKeyboardMarkup | undefined;
}

/** Defaults of a new group: every `can_send_*` and invite allowed; pin, info and topics for admins only. */
export const DEFAULT_PERMISSIONS: Permissions = {
  can_send_messages: true,
  can_send_audios: true,
  can_send_documents: true,
  can_send_photos: true,
  can_send_videos: true,
  can_send_video_notes: true,
  can_send_voice_notes: true,
  can_send_polls: true,
  can_send_other_messages: true,
  can_add_web_page_previews: true,
  can_change_info: false,
  can_invite_users: true,
  can_pin_messages: false,
  can_manage_topics: false,
};

/** A full permission set from a partial one; absent fields are false, as restrictChatMember reads them. */
export function fullPermissions(partial: Partial<Permissions>): Permissions {
  const result = {} as Record<PermissionKey, boolean>;
  for (const key of PERMISSION_KEYS) result[key] = partial[key] === true;
  return result;
}

/** Administrator rights from a partial set; any administrator can manage the chat. */
export function fullRights(partial: Partial<AdminRights>): AdminRights {
  const result = {} as Record<(typeof ADMIN_RIGHT_KEYS)[number], boolean>;
  for (const key of ADMIN_RIGHT_KEYS) result[key] = partial[key] === true;
  result.can_manage_chat = true;
  return result;
}

/** Telegram lifts a timed restriction or ban once its date passed, silently (no update). */
export function expire(state: MemberState, now: number): MemberState {
  if (state.status === 'restricted' && state.untilDate !== 0 && now > state.untilDate) {
    return state.isMember ? MEMBER : LEFT;
  }
  if (state.status === 'kicked' && state.untilDate !== 0 && now > state.untilDate) return LEFT;
  return state;
}

/** Whether the user is currently inside the chat. */
export function isInChat(state: MemberState): boolean {
  switch (state.status) {
    case 'creator':
    case 'administrator':
    case 'member':
      return true;
    case 'restricted':
      return state.isMember;
    default:
      return false;
  }
}

/** Whether a member in `state` may post text in a chat with `defaults`. */
export function canSendText(state: MemberState, defaults: Permissions): boolean {
  switch (state.status) {
    case 'creator':
    case 'administrator':
      return true;
    case 'member':
      return defaults.can_send_messages;
    case 'restricted':
      return state.isMember && state.permissions.can_send_messages && defaults.can_send_messages;
    default:
      return false;
  }
}

/**
 * Telegram's restrictChatMember until_date rule: absent, 0, less than 30 seconds or more than 366 days from now
 * means forever (stored as 0).
 */
export function normalizeUntil(untilDate: number, now: number): number {
  if (untilDate <= 0) return 0;
  const delta = untilDate - now;
  return delta < 30 || delta > 366 * 86400 ? 0 : untilDate;
}

/**
 * The permission object restrictChatMember/setChatPermissions build from `permissions` when
 * `use_independent_chat_permissions` is false: other messages and previews imply media and text, polls imply
 * text, the legacy `can_send_media_messages` stands for every media kind; absent `can_manage_topics` copies
 * `can_pin_messages`. Port of telegram-bot-api's `get_chat_permissions`.
 */
export function permissionsFromInput(
  input: Readonly<Record<string, unknown>>,
  independent: boolean,
): Permissions {
  const flag = (key: string): boolean => input[key] === true;
  const p = fullPermissions({});
  p.can_send_messages = flag('can_send_messages');
  p.can_send_polls = flag('can_send_polls');
  p.can_send_other_messages = flag('can_send_other_messages');
  p.can_add_web_page_previews = flag('can_add_web_page_previews');
  p.can_change_info = flag('can_change_info');
  p.can_invite_users = flag('can_invite_users');
  p.can_pin_messages = flag('can_pin_messages');
  p.can_manage_topics = 'can_manage_topics' in input ? flag('can_manage_topics') : p.can_pin_messages;
  const media = [
    'can_send_audios',
    'can_send_documents',
    'can_send_photos',
    'can_send_videos',
    'can_send_video_notes',
    'can_send_voice_notes',
  ] as const;
  if (media.some((key) => key in input)) {
    for (const key of media) p[key] = flag(key);
  } else {
    const legacy = flag('can_send_media_messages');
    for (const key of media) p[key] = legacy;
    if (legacy && !independent) p.can_send_messages = true;
  }
  if ((p.can_send_other_messages || p.can_add_web_page_previews) && !independent) {
    for (const key of media) p[key] = true;
    p.can_send_messages = true;
  }
  if (p.can_send_polls && !independent) p.can_send_messages = true;
  return p;
}

/**
 * Whether member-specific permissions add no restriction to the chat's defaults, in which case Telegram keeps the
 * user an ordinary member (or not a member at all) rather than "restricted".
 */
export function isRedundantRestriction(permissions: Permissions, defaults: Permissions): boolean {
  return PERMISSION_KEYS.every((key) => permissions[key] || !defaults[key]);
}

/** "First Last" of a user. */
export function fullName(user: User): string {
  return user.last_name ? `${user.first_name} ${user.last_name}` : user.first_name;
}
