import type {
  BotRights,
  ChatInfo,
  CommandCall,
  InboundEvent,
  MessagePosted,
  ReplyTarget,
  Sender,
  UserInfo,
} from '../port.js';

/**
 * MAX's updates (max-messenger/api-schema `Update` and its inheritors) as the core's events. Pure: chat
 * titles, inviters' names and the bot's permissions come in a {@link MappingContext} the update source
 * fills by asking the API. Anything malformed maps to undefined, and the source logs and skips it.
 */

/** The update types the bot acts on (asked for in polling, subscribed for the webhook). */
export const UPDATE_TYPES = [
  'message_created',
  'message_callback',
  'user_added',
  'user_removed',
  'bot_added',
  'bot_removed',
  'bot_started',
  'chat_title_changed',
  'bot_admin_permissions_changed',
] as const;

export interface WireUpdate {
  update_type: string;
  timestamp: number;
  [field: string]: unknown;
}

export interface WireUser {
  user_id: number;
  first_name?: string;
  last_name?: string | null;
  name?: string | null;
  username?: string | null;
  is_bot?: boolean;
}

/** What a message carries that the mapping reads. */
export interface WireMessage {
  sender?: WireUser | null;
  recipient: { chat_id: number | null; chat_type: string; user_id?: number | null };
  timestamp: number;
  body: { mid: string; seq?: number; text?: string | null };
  link?: { type: string; sender?: WireUser | null; message?: { mid?: string; text?: string | null } } | null;
}

/** The permissions a MAX administrator may hold (schema `ChatAdminPermission`). */
export type Permission = string;

/** What the update source learned from the API for one update. */
export interface MappingContext {
  botId: number;
  /** Chat titles by chat_id. */
  titles: ReadonlyMap<number, string>;
  /** People the update names only by id (an inviter, a remover). */
  users: ReadonlyMap<number, UserInfo>;
  /** The bot's own administrator permissions in the update's chat, when the update is about the bot. */
  botPermissions?: readonly Permission[] | null;
  now: Date;
}

/** The rights the core asks about, from MAX's permissions (see the README's table). */
export function rightsFrom(permissions: readonly Permission[] | null | undefined): BotRights {
  const has = (name: string) => permissions?.includes(name) === true;
  return {
    // A block is a removal (ban mode) or the emulated read-only, which needs to see and delete messages.
    canRestrictMembers: has('add_remove_members') && has('read_all_messages'),
    canDeleteMessages: has('delete') && has('read_all_messages'),
    // Letting someone back is adding them again.
    canInviteUsers: has('add_remove_members'),
  };
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isUser(value: unknown): value is WireUser {
  return isObject(value) && typeof value.user_id === 'number';
}

export function userFrom(user: WireUser): UserInfo {
  const info: UserInfo = {
    userId: String(user.user_id),
    firstName: user.first_name || user.name || `id${user.user_id}`,
    isBot: user.is_bot === true,
  };
  if (user.last_name) info.lastName = user.last_name;
  if (user.username) info.username = user.username;
  return info;
}

export function placeholderUser(id: number): UserInfo {
  return { userId: String(id), firstName: `id${id}`, isBot: false };
}

/** A message of `message_created` or `message_callback`, if it has what the mapping needs. */
export function messageOf(value: unknown): WireMessage | undefined {
  if (!isObject(value) || !isObject(value.recipient) || !isObject(value.body)) return undefined;
  if (typeof value.body.mid !== 'string' || typeof value.timestamp !== 'number') return undefined;
  const { chat_type: type, chat_id: chatId } = value.recipient;
  if (type !== 'chat' && type !== 'dialog' && type !== 'channel') return undefined;
  if (type !== 'dialog' && typeof chatId !== 'number') return undefined;
  return value as unknown as WireMessage;
}

/** Group chats have negative ids in MAX; the port addresses a private chat by the person's user id. */
export function isGroupChatId(id: string): boolean {
  return id.startsWith('-');
}

/** The chats an update refers to, for the source to learn their titles. */
export function groupChatOf(update: WireUpdate): number | undefined {
  if (update.update_type === 'message_created' || update.update_type === 'message_callback') {
    const message = messageOf(update.message);
    return message?.recipient.chat_type === 'chat' ? (message.recipient.chat_id ?? undefined) : undefined;
  }
  return typeof update.chat_id === 'number' && update.chat_id < 0 ? update.chat_id : undefined;
}

/** Who an update names by id only (an inviter, a remover), for the source to look up. */
export function namedIds(update: WireUpdate): number[] {
  const ids = [update.inviter_id, update.admin_id].filter(
    (id): id is number => typeof id === 'number' && id !== 0,
  );
  return [...new Set(ids)];
}

/**
 * What identifies an update across redeliveries: MAX gives updates no id, but a redelivery repeats the
 * update as it was (its timestamp included).
 */
export function updateKey(update: WireUpdate): string {
  const type = update.update_type;
  if (type === 'message_created') {
    const message = messageOf(update.message);
    if (message) return `message_created:${message.body.mid}`;
  }
  if (type === 'message_callback' && isObject(update.callback)) {
    return `message_callback:${String(update.callback.callback_id)}`;
  }
  const user = isUser(update.user) ? update.user.user_id : update.user_id;
  return `${type}:${String(update.chat_id ?? '')}:${String(user ?? '')}:${update.timestamp}`;
}

const COMMAND = /^\/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_.]+))?(?=$|\s)\s*([\s\S]*)$/;

/** `/strike 2 rude` → { name: 'strike', args: '2 rude' }; `/strike@other_bot` is not ours. */
export function parseCommand(text: string, botUsername: string | undefined): CommandCall | undefined {
  const match = COMMAND.exec(text.trim());
  if (!match) return undefined;
  const [, name, mention, args] = match;
  if (mention && botUsername && mention.toLowerCase() !== botUsername.toLowerCase()) return undefined;
  return { name: (name ?? '').toLowerCase(), args: (args ?? '').trim() };
}

function fullName(user: UserInfo): string {
  return [user.firstName, user.lastName].filter(Boolean).join(' ');
}

function groupChat(chatId: number, context: MappingContext): ChatInfo {
  // A MAX group removes members and deletes messages as a Telegram supergroup does.
  const title = context.titles.get(chatId) ?? `chat ${chatId}`;
  return { platform: 'max', platformChatId: String(chatId), type: 'supergroup', title };
}

function privateChat(user: UserInfo): ChatInfo {
  return { platform: 'max', platformChatId: user.userId, type: 'private', title: fullName(user) };
}

function chatOfMessage(message: WireMessage, sender: UserInfo, context: MappingContext): ChatInfo {
  return message.recipient.chat_type === 'dialog'
    ? privateChat(sender)
    : groupChat(message.recipient.chat_id as number, context);
}

function messageEvent(update: WireUpdate, key: string, context: MappingContext): InboundEvent | undefined {
  const message = messageOf(update.message);
  if (!message || !isUser(message.sender)) return undefined;
  // Channels are not class chats.
  if (message.recipient.chat_type === 'channel') return undefined;
  const user = userFrom(message.sender);
  const text = typeof message.body.text === 'string' ? message.body.text : '';
  const event: MessagePosted = {
    updateKey: key,
    at: new Date(message.timestamp),
    kind: 'message',
    chat: chatOfMessage(message, user, context),
    sender: { kind: 'user', user },
    messageId: message.body.mid,
    text,
  };
  const command = parseCommand(text, context.users.get(context.botId)?.username);
  if (command) event.command = command;
  const link = message.link;
  if (link?.type === 'reply' && isObject(link.message) && typeof link.message.mid === 'string') {
    const target: ReplyTarget = {
      messageId: link.message.mid,
      text: typeof link.message.text === 'string' ? link.message.text : '',
    };
    if (isUser(link.sender)) target.sender = { kind: 'user', user: userFrom(link.sender) } satisfies Sender;
    event.replyTo = target;
  }
  return event;
}

function callbackEvent(update: WireUpdate, key: string, context: MappingContext): InboundEvent | undefined {
  const callback = update.callback;
  if (!isObject(callback) || !isUser(callback.user) || typeof callback.callback_id !== 'string')
    return undefined;
  if (typeof callback.payload !== 'string') return undefined;
  // The pressed message was deleted by the time of the press: nothing left to act on.
  const message = messageOf(update.message);
  if (!message) return undefined;
  const user = userFrom(callback.user);
  const chat =
    message.recipient.chat_type === 'dialog'
      ? privateChat(user)
      : groupChat(message.recipient.chat_id as number, context);
  return {
    updateKey: key,
    at: new Date(update.timestamp),
    kind: 'button',
    chat,
    user,
    messageId: message.body.mid,
    data: callback.payload,
    pressId: callback.callback_id,
  };
}

function byId(id: unknown, context: MappingContext): UserInfo | undefined {
  if (typeof id !== 'number' || id === 0) return undefined;
  return context.users.get(id) ?? placeholderUser(id);
}

function membershipEvent(update: WireUpdate, key: string, context: MappingContext): InboundEvent | undefined {
  if (typeof update.chat_id !== 'number' || update.chat_id >= 0) return undefined;
  if (update.is_channel === true) return undefined;
  const chat = groupChat(update.chat_id, context);
  const common = { updateKey: key, at: new Date(update.timestamp), chat };
  const user = isUser(update.user) ? userFrom(update.user) : undefined;
  switch (update.update_type) {
    case 'user_added': {
      if (!user) return undefined;
      // A null inviter: the person came by the chat's link.
      const by = byId(update.inviter_id, context);
      return {
        ...common,
        kind: 'members_joined',
        members: [user],
        via: by ? 'added' : 'link',
        ...(by ? { by } : {}),
      };
    }
    case 'user_removed': {
      if (!user) return undefined;
      const by = byId(update.admin_id, context);
      const kicked = by !== undefined && by.userId !== user.userId;
      return {
        ...common,
        kind: 'member_left',
        member: user,
        status: kicked ? 'kicked' : 'left',
        ...(kicked ? { by } : {}),
      };
    }
    case 'bot_added':
    case 'bot_admin_permissions_changed': {
      const permissions =
        update.update_type === 'bot_admin_permissions_changed'
          ? Array.isArray(update.permissions)
            ? (update.permissions as string[])
            : null
          : (context.botPermissions ?? null);
      const admin =
        update.update_type === 'bot_admin_permissions_changed'
          ? update.is_admin === true
          : permissions !== null;
      const by = user ?? byId(update.user_id, context);
      return {
        ...common,
        kind: 'bot_membership',
        ...(by ? { by } : {}),
        status: admin ? 'administrator' : 'member',
        previous: update.update_type === 'bot_added' ? 'left' : 'member',
        rights: rightsFrom(admin ? permissions : null),
      };
    }
    case 'bot_removed':
      return {
        ...common,
        kind: 'bot_membership',
        ...(user ? { by: user } : {}),
        status: user ? 'kicked' : 'left',
        previous: 'member',
        rights: rightsFrom(null),
      };
    default:
      return undefined;
  }
}

/** The message id of a `bot_started` (MAX gives it none): never sent to MAX as a message to reply to. */
export const START_MESSAGE_PREFIX = 'start:';

/** `bot_started`: the person opened the private chat, perhaps from a link carrying a start payload. */
function startedEvent(update: WireUpdate, key: string): InboundEvent | undefined {
  if (!isUser(update.user)) return undefined;
  const user = userFrom(update.user);
  const payload = typeof update.payload === 'string' ? update.payload.trim() : '';
  return {
    updateKey: key,
    at: new Date(update.timestamp),
    kind: 'message',
    chat: privateChat(user),
    sender: { kind: 'user', user },
    messageId: `${START_MESSAGE_PREFIX}${update.timestamp}`,
    text: payload ? `/start ${payload}` : '/start',
    command: { name: 'start', args: payload },
  };
}

/** Maps one update to the core's event; undefined for updates the core does not act on, or malformed ones. */
export function toEvent(update: WireUpdate, context: MappingContext): InboundEvent | undefined {
  const key = updateKey(update);
  switch (update.update_type) {
    case 'message_created':
      return messageEvent(update, key, context);
    case 'message_callback':
      return callbackEvent(update, key, context);
    case 'bot_started':
      return startedEvent(update, key);
    default:
      return membershipEvent(update, key, context);
  }
}

/** Whether a value is shaped as an update at all. */
export function isUpdate(value: unknown): value is WireUpdate {
  return isObject(value) && typeof value.update_type === 'string' && typeof value.timestamp === 'number';
}
