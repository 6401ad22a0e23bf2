/**
 * The messenger port: the platform-neutral events the core receives and the actions it asks for.
 * The core never imports a platform SDK; a connector (Telegram, VK, MAX) translates both ways.
 * Ids are strings so that every platform's ids fit.
 */

export type Platform = 'telegram' | 'vk' | 'max';

/** A chat on a platform. Private chats with a person are chats too. */
export interface ChatAddress {
  platform: Platform;
  platformChatId: string;
}

export type ChatType = 'private' | 'group' | 'supergroup';
export interface ChatInfo extends ChatAddress {
  type: ChatType;
  title: string;
}

/** A person (or bot) as the platform shows them. */
export interface UserInfo {
  userId: string;
  firstName: string;
  lastName?: string;
  username?: string;
  isBot: boolean;
  languageCode?: string;
}

/**
 * Who posted: a person, or an administrator posting anonymously as the chat itself (a moderator with
 * no user id), or a channel.
 */
export type Sender =
  | { kind: 'user'; user: UserInfo }
  | { kind: 'anonymous_admin' }
  | { kind: 'channel'; title: string };

export interface ReplyTarget {
  messageId: string;
  sender?: Sender;
  text: string;
  /** When the replied message was posted. */
  at?: Date;
}

export interface CommandCall {
  /** Lower-case name without the slash or @bot suffix. */
  name: string;
  /** Everything after the command, trimmed. */
  args: string;
}

/** The rights the bot needs as an administrator of a group chat. */
export interface BotRights {
  canRestrictMembers: boolean;
  canDeleteMessages: boolean;
  canInviteUsers: boolean;
}

interface EventBase {
  /** Platform-unique id of the update, for dropping redeliveries. */
  updateKey: string;
  at: Date;
}

export interface MessagePosted extends EventBase {
  kind: 'message';
  chat: ChatInfo;
  sender: Sender;
  messageId: string;
  text: string;
  command?: CommandCall;
  replyTo?: ReplyTarget;
}

export interface MembersJoined extends EventBase {
  kind: 'members_joined';
  chat: ChatInfo;
  members: UserInfo[];
  /** How they came in: added by someone, by an invite link, or approved from a join request. */
  via: 'added' | 'link' | 'request';
  by?: UserInfo;
  /** The service message announcing the join, if any (it can be deleted to keep the chat clean). */
  messageId?: string;
}

export interface MemberLeft extends EventBase {
  kind: 'member_left';
  chat: ChatInfo;
  member: UserInfo;
  /** Removed by someone else, or left on their own. */
  by?: UserInfo;
  status: 'left' | 'kicked';
}

/** A member's status changed in place (promoted, demoted, restricted by someone). */
export interface MemberStatusChanged extends EventBase {
  kind: 'member_status';
  chat: ChatInfo;
  member: UserInfo;
  by?: UserInfo;
  status: MemberStatus;
  previous: MemberStatus;
}

export type MemberStatus = 'creator' | 'administrator' | 'member' | 'restricted' | 'left' | 'kicked';

export interface ButtonPressed extends EventBase {
  kind: 'button';
  /** The chat of the message that carries the button. */
  chat: ChatInfo;
  user: UserInfo;
  messageId: string;
  data: string;
  /** Answer with {@link ButtonAnswerer.answerButton}. */
  pressId: string;
}

export interface JoinRequested extends EventBase {
  kind: 'join_request';
  chat: ChatInfo;
  user: UserInfo;
  /** Where the bot can write to the applicant (for a few minutes on Telegram). */
  privateChat: ChatAddress;
  inviteLink?: string;
}

export interface BotMembershipChanged extends EventBase {
  kind: 'bot_membership';
  chat: ChatInfo;
  by?: UserInfo;
  status: MemberStatus;
  previous: MemberStatus;
  rights: BotRights;
}

export interface ChatMigrated extends EventBase {
  kind: 'chat_migrated';
  chat: ChatInfo;
  fromChatId: string;
  toChatId: string;
}

/** A member who may only read wrote anyway where read-only is emulated (MAX): the core deletes it durably. */
export interface MessageSuppressed extends EventBase {
  kind: 'message_suppressed';
  chat: ChatInfo;
  user: UserInfo;
  messageId: string;
  /** Which block or gate entry: the person is told privately once per silence. */
  silence: string;
  /** The end of the silence, for a block; none for a newcomer who has not accepted the rules yet. */
  until?: Date;
}

export type InboundEvent =
  | MessagePosted
  | MessageSuppressed
  | MembersJoined
  | MemberLeft
  | MemberStatusChanged
  | ButtonPressed
  | JoinRequested
  | BotMembershipChanged
  | ChatMigrated;

export interface ButtonSpec {
  text: string;
  /** Callback data (≤ 64 bytes on Telegram) or a URL to open. */
  data?: string;
  url?: string;
}

export interface SendOptions {
  replyTo?: string;
  buttons?: ButtonSpec[][];
  silent?: boolean;
}

export interface SentMessage {
  messageId: string;
}

export interface AdminInfo {
  user: UserInfo;
  status: 'creator' | 'administrator';
  isAnonymous: boolean;
  canRestrictMembers: boolean;
  canDeleteMessages: boolean;
  canInviteUsers: boolean;
}

export interface InviteLink {
  url: string;
  name?: string;
}

// Role interfaces: each part of the core asks for the capability it uses, not the whole connector.
// The outbox worker performs actions (ActionPerformer); features read the PlatformProfile and the
// ChatDirectory; the dispatcher answers buttons; the app registers the command menus.

export interface MessageSender {
  send(chat: ChatAddress, text: string, options?: SendOptions): Promise<SentMessage>;
  edit(chat: ChatAddress, messageId: string, text: string, buttons?: ButtonSpec[][]): Promise<void>;
  delete(chat: ChatAddress, messageId: string): Promise<void>;
}

/** A file in a private chat (a person's data export); a connector without files leaves it out. */
export interface DocumentSender {
  sendDocument?(
    chat: ChatAddress,
    document: { filename: string; content: string; caption?: string },
  ): Promise<SentMessage>;
}

export interface MemberRestrictor {
  /**
   * Read-only until `until` (the platform lifts it itself then; the core lifts it too), or until
   * unmuted when no end is given (a newcomer who has not accepted the rules yet).
   */
  mute(chat: ChatAddress, userId: string, until?: Date): Promise<void>;
  /** Back to the chat's default permissions. */
  unmute(chat: ChatAddress, userId: string): Promise<void>;
}

export interface MemberBanner {
  /** Removes the member; they cannot come back until unbanned (or until `until`). */
  ban(chat: ChatAddress, userId: string, until?: Date): Promise<void>;
  /** Lifts a ban; never removes a current member. */
  unban(chat: ChatAddress, userId: string): Promise<void>;
}

export interface InviteLinks {
  createJoinRequestLink(chat: ChatAddress, name: string, expiresAt?: Date): Promise<InviteLink>;
  revokeLink(chat: ChatAddress, url: string): Promise<void>;
}

export interface JoinRequests {
  approve(chat: ChatAddress, userId: string): Promise<void>;
  decline(chat: ChatAddress, userId: string): Promise<void>;
}

/** A chat's member permissions as the connector reads them: opaque to the core, saved and given back. */
export type ChatPermissions = Record<string, boolean>;

export interface ChatPermissionsControl {
  /**
   * An intent the connector maps to its platform: `readOnly` closes the chat for members (not admins);
   * otherwise it gets back `saved` (read before closing), or ordinary permissions when none was saved.
   */
  setChatReadOnly(chat: ChatAddress, readOnly: boolean, saved?: ChatPermissions): Promise<void>;
}

export interface ChatDirectory {
  /** The chat's default member permissions now (only where `capabilities.chatPermissions`). */
  readChatPermissions(chat: ChatAddress): Promise<ChatPermissions>;
  listAdmins(chat: ChatAddress): Promise<AdminInfo[]>;
  /** Where a person stands in a chat now, as the platform says (`left` when not in it). */
  memberStatus(chat: ChatAddress, userId: string): Promise<MemberStatus>;
}

export interface ButtonAnswerer {
  /** Acknowledges a press; `alert` shows the text as a dialog instead of a toast. */
  answerButton(pressId: string, text?: string, alert?: boolean): Promise<void>;
}

export interface CommandMenuEntry {
  command: string;
  description: string;
}

export interface CommandMenus {
  setCommandMenus(menus: {
    language?: string;
    members: CommandMenuEntry[];
    moderators: CommandMenuEntry[];
    privateChats: CommandMenuEntry[];
  }): Promise<void>;
}

/** What a connector can and cannot do; the core picks an equivalent where a capability is missing. */
export interface Capabilities {
  joinRequests: boolean;
  timedMute: boolean;
  timedBan: boolean;
  /** Whether a link to a message can be built (for reports to moderators). */
  messageLinks: boolean;
  /**
   * Whether read-only is the platform's own state (`native`), or emulated by the connector deleting a
   * silenced member's every new message at once (`emulated`, MAX).
   */
  readOnly: 'native' | 'emulated';
  /**
   * How the bot's powers in a chat are granted: `granular` rights one by one (Telegram), being made an
   * administrator at all (VK), or an administrator's named permissions (`permissions`, MAX), which is what
   * the chat is asked for when something is missing.
   */
  rights: 'granular' | 'admin' | 'permissions';
  /** Whether the chat's default permissions can be set (quiet hours, announcement-only chats). */
  chatPermissions: boolean;
  /**
   * Whether the bot can revoke a link it gave out (4.11.2: unclaimed links are annulled). MAX's link is the
   * chat's own, which a bot cannot change: moderators are told to reset it themselves.
   */
  revocableLinks: boolean;
}

/** Who the bot is on a platform and what the platform can do. */
export interface PlatformProfile {
  readonly platform: Platform;
  readonly capabilities: Capabilities;
  /** The bot's own account on this platform. */
  readonly self: UserInfo;
  /** A link to a message (for reports to moderators), where the platform has them. */
  messageLink(chat: ChatAddress, messageId: string): string | undefined;
  /** A chat with one person (the bot's private chat with them), as opposed to a group. */
  isPrivateChat(chat: ChatAddress): boolean;
  /**
   * A link that opens a private chat with the bot, carrying `payload` (A–Z a–z 0–9 _ -, at most 64
   * characters) to its start: how a person is invited to write to the bot.
   */
  startLink(payload: string): string;
}

/** Everything the outbox asks a platform to do. */
export interface ActionPerformer
  extends MessageSender,
    DocumentSender,
    MemberRestrictor,
    MemberBanner,
    InviteLinks,
    JoinRequests,
    ChatPermissionsControl,
    Pick<PlatformProfile, 'isPrivateChat'>,
    Pick<ChatDirectory, 'memberStatus'> {}

/** Everything a connector provides. */
export interface Messenger
  extends PlatformProfile,
    ActionPerformer,
    ChatDirectory,
    ButtonAnswerer,
    CommandMenus {}

/**
 * How hard the core tries an event before its promise rejects. Retries happen in the event's place in
 * its chat's queue, so the chat's later events wait and the order holds; a connector passes its stop
 * signal so that shutting down cuts the pauses short.
 */
export interface Delivery {
  /** Attempts in all (1 = no retry). */
  attempts?: number;
  signal?: AbortSignal;
}

export type EventSink = (event: InboundEvent, delivery?: Delivery) => Promise<void>;

/** Why a platform call failed, as one of our own codes. */
export type MessengerErrorCode =
  | 'RATE_LIMITED'
  | 'NETWORK'
  | 'SERVER'
  | 'NOT_ENOUGH_RIGHTS'
  | 'MESSAGE_GONE'
  | 'MESSAGE_UNCHANGED'
  | 'USER_NOT_FOUND'
  | 'USER_IS_ADMIN'
  | 'CHAT_NOT_FOUND'
  | 'BOT_NOT_IN_CHAT'
  | 'CANNOT_MESSAGE_USER'
  | 'CHAT_MIGRATED'
  | 'NOT_SUPERGROUP'
  | 'NO_JOIN_REQUEST'
  /** Approving someone who is already in the chat. */
  | 'ALREADY_PARTICIPANT'
  | 'CALLBACK_EXPIRED'
  | 'UNAUTHORIZED'
  | 'BAD_REQUEST'
  /** No connector serves the action's platform in this process. */
  | 'NO_CONNECTOR';

const RETRYABLE: ReadonlySet<MessengerErrorCode> = new Set(['RATE_LIMITED', 'NETWORK', 'SERVER']);

export class MessengerError extends Error {
  override name = 'MessengerError';
  constructor(
    readonly code: MessengerErrorCode,
    message: string,
    readonly details: { retryAfterSeconds?: number; migratedToChatId?: string } = {},
  ) {
    super(message);
  }

  /** Worth trying again later: the platform was busy or unreachable, not refusing. */
  get retryable(): boolean {
    return RETRYABLE.has(this.code);
  }
}
