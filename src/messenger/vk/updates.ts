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

/** Chats have peer_id = 2000000000 + chat_id; a person's private conversation has peer_id = their id. */
export const CHAT_PEER_OFFSET = 2_000_000_000;

/** The event types the bot acts on: enable them (API 5.199) in the community's Long Poll or Callback settings. */
export const EVENT_TYPES = ['message_new', 'message_event'] as const;

/** One Bots Long Poll / Callback API event (`{type, object, group_id, event_id, v}`). */
export interface VkUpdate {
  type: string;
  object: unknown;
  group_id: number;
  event_id?: string;
  v?: string;
}

/** The fields of a message (`message_new`'s `object.message`) that the mapping reads. */
export interface VkMessage {
  conversation_message_id: number;
  peer_id: number;
  from_id: number;
  date: number;
  text: string;
  action?: { type: string; member_id?: number; text?: string };
  reply_message?: { conversation_message_id?: number; from_id: number; text?: string; date?: number };
}

/** `message_event`'s object: a press of a callback button. */
export interface VkButtonPress {
  user_id: number;
  peer_id: number;
  event_id: string;
  /** The button's payload; documented as a string, delivered parsed. Both are accepted. */
  payload?: unknown;
  conversation_message_id?: number;
}

/** Names and titles VK's events do not carry; the update source looks them up. */
export interface Directory {
  /** People by id and communities by negative id. */
  users: ReadonlyMap<number, UserInfo>;
  /** Chat titles by peer_id. */
  titles: ReadonlyMap<number, string>;
}

export interface MappingContext extends Directory {
  groupId: number;
  now: Date;
  /** Whether the community is an administrator of the chat it just joined (VK's event does not say). */
  botIsAdmin?: boolean;
}

export function isChatPeer(peerId: number): boolean {
  return peerId >= CHAT_PEER_OFFSET;
}

/** The message of a `message_new`, if the event is one and has the fields the mapping needs. */
export function messageOf(update: VkUpdate): VkMessage | undefined {
  if (update.type !== 'message_new' || !isObject(update.object)) return undefined;
  const message = update.object.message;
  if (!isObject(message)) return undefined;
  const { conversation_message_id: cmid, peer_id: peer, from_id: from, date } = message;
  if (typeof cmid !== 'number' || typeof peer !== 'number' || typeof from !== 'number') return undefined;
  if (typeof date !== 'number') return undefined;
  return { ...(message as unknown as VkMessage), text: typeof message.text === 'string' ? message.text : '' };
}

export function pressOf(update: VkUpdate): VkButtonPress | undefined {
  if (update.type !== 'message_event' || !isObject(update.object)) return undefined;
  const { user_id: user, peer_id: peer, event_id: eventId } = update.object;
  if (typeof user !== 'number' || typeof peer !== 'number' || typeof eventId !== 'string') return undefined;
  return update.object as unknown as VkButtonPress;
}

/** The people and communities whose names the event needs, and the chats whose titles. */
export function referencedIds(update: VkUpdate): { owners: number[]; chats: number[] } {
  const message = messageOf(update);
  if (message) {
    const owners = [message.from_id, message.action?.member_id, message.reply_message?.from_id];
    if (!isChatPeer(message.peer_id)) owners.push(message.peer_id);
    return {
      owners: unique(owners),
      chats: isChatPeer(message.peer_id) ? [message.peer_id] : [],
    };
  }
  const press = pressOf(update);
  if (press) return { owners: [press.user_id], chats: isChatPeer(press.peer_id) ? [press.peer_id] : [] };
  return { owners: [], chats: [] };
}

/** A chat's new title from a `chat_title_update` service message, for the source's title cache. */
export function titleChange(update: VkUpdate): { peerId: number; title: string } | undefined {
  const message = messageOf(update);
  if (message?.action?.type !== 'chat_title_update' || typeof message.action.text !== 'string')
    return undefined;
  return { peerId: message.peer_id, title: message.action.text };
}

/** `event_id` (VK repeats it on redelivery); without one, what identifies the message or the press. */
export function updateKey(update: VkUpdate): string {
  if (typeof update.event_id === 'string' && update.event_id !== '') return update.event_id;
  const message = messageOf(update);
  if (message) return `${update.type}:${message.peer_id}:${message.conversation_message_id}`;
  const press = pressOf(update);
  if (press) return `${update.type}:${press.event_id}`;
  return `${update.type}:${JSON.stringify(update.object)}`;
}

/** Who an id is when users.get / groups.getById could not say. */
export function placeholderUser(id: number): UserInfo {
  return id > 0
    ? { userId: String(id), firstName: `id${id}`, isBot: false }
    : { userId: String(id), firstName: `club${-id}`, isBot: true };
}

const MENTION = /^\[(?:club|public)(\d+)\|[^\]]*\][\s,:]*/;
const COMMAND = /^\/([A-Za-z0-9_]{1,32})(?=$|\s)\s*([\s\S]*)$/;

/**
 * `/strike 2 rude` → { name: 'strike', args: '2 rude' }. A command picked from a chat's menu comes as
 * `[club123|@name] /strike`: the mention of this community is dropped, one of another community makes
 * the command not ours.
 */
export function parseCommand(text: string, groupId: number): CommandCall | undefined {
  let rest = text;
  const mention = MENTION.exec(rest);
  if (mention) {
    if (Number(mention[1]) !== groupId) return undefined;
    rest = rest.slice(mention[0].length);
  }
  const match = COMMAND.exec(rest);
  if (!match) return undefined;
  const [, name, args] = match;
  return { name: (name ?? '').toLowerCase(), args: (args ?? '').trim() };
}

/** What answering a press needs (event_id, user_id, peer_id), in the port's one-string pressId. */
export function encodePressId(press: Pick<VkButtonPress, 'event_id' | 'user_id' | 'peer_id'>): string {
  return `${press.peer_id}:${press.user_id}:${press.event_id}`;
}

export function decodePressId(
  pressId: string,
): { eventId: string; userId: number; peerId: number } | undefined {
  const match = /^(\d+):(\d+):(.+)$/.exec(pressId);
  if (!match) return undefined;
  return { peerId: Number(match[1]), userId: Number(match[2]), eventId: match[3] ?? '' };
}

/** Callback button payloads are JSON `{"d": <data>}`; anything else is not our button. */
export function buttonPayload(data: string): string {
  return JSON.stringify({ d: data });
}

function buttonData(payload: unknown): string | undefined {
  let value = payload;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  return isObject(value) && typeof value.d === 'string' ? value.d : undefined;
}

function rights(isAdmin: boolean): BotRights {
  // A VK chat administrator may remove members, delete messages and manage the invite link.
  return { canRestrictMembers: isAdmin, canDeleteMessages: isAdmin, canInviteUsers: isAdmin };
}

function userOf(id: number, context: MappingContext): UserInfo {
  return context.users.get(id) ?? placeholderUser(id);
}

function fullName(user: UserInfo): string {
  return [user.firstName, user.lastName].filter(Boolean).join(' ');
}

function chatOf(peerId: number, context: MappingContext): ChatInfo {
  const chatId = String(peerId);
  if (!isChatPeer(peerId)) {
    return {
      platform: 'vk',
      platformChatId: chatId,
      type: 'private',
      title: fullName(userOf(peerId, context)),
    };
  }
  // A VK chat restricts and removes members like a Telegram supergroup ('group' means Telegram's basic group).
  const title = context.titles.get(peerId) ?? `chat ${peerId - CHAT_PEER_OFFSET}`;
  return { platform: 'vk', platformChatId: chatId, type: 'supergroup', title };
}

function senderOf(id: number, context: MappingContext): Sender {
  return { kind: 'user', user: userOf(id, context) };
}

function messageEvent(message: VkMessage, key: string, context: MappingContext): InboundEvent | undefined {
  const self = -context.groupId;
  const common = {
    updateKey: key,
    at: new Date(message.date * 1000),
    chat: chatOf(message.peer_id, context),
  };
  const action = message.action;
  if (action) {
    const from = message.from_id;
    // An invite by link names the newcomer in from_id; member_id is documented for invites and kicks only.
    const memberId = action.member_id ?? from;
    switch (action.type) {
      case 'chat_invite_user':
      case 'chat_invite_user_by_link':
      case 'chat_invite_user_by_message_request': {
        if (memberId === self) {
          const isAdmin = context.botIsAdmin === true;
          return {
            ...common,
            kind: 'bot_membership',
            ...(from !== self ? { by: userOf(from, context) } : {}),
            status: isAdmin ? 'administrator' : 'member',
            previous: 'left',
            rights: rights(isAdmin),
          };
        }
        const via =
          action.type === 'chat_invite_user_by_link'
            ? 'link'
            : action.type === 'chat_invite_user_by_message_request'
              ? 'request'
              : from === memberId
                ? 'link' // came back on their own
                : 'added';
        return {
          ...common,
          kind: 'members_joined',
          members: [userOf(memberId, context)],
          via,
          ...(via === 'added' ? { by: userOf(from, context) } : {}),
          messageId: String(message.conversation_message_id),
        };
      }
      case 'chat_kick_user': {
        const by = from !== memberId ? userOf(from, context) : undefined;
        if (memberId === self) {
          return {
            ...common,
            kind: 'bot_membership',
            ...(by ? { by } : {}),
            status: by ? 'kicked' : 'left',
            previous: 'member',
            rights: rights(false),
          };
        }
        return {
          ...common,
          kind: 'member_left',
          member: userOf(memberId, context),
          status: by ? 'kicked' : 'left',
          ...(by ? { by } : {}),
        };
      }
      default:
        // Renames, pins, photos: nothing for the core (the source keeps titles current).
        return undefined;
    }
  }
  const event: MessagePosted = {
    ...common,
    kind: 'message',
    sender: senderOf(message.from_id, context),
    messageId: String(message.conversation_message_id),
    text: message.text,
  };
  const command = parseCommand(message.text, context.groupId);
  if (command) event.command = command;
  const reply = message.reply_message;
  if (reply && typeof reply.conversation_message_id === 'number' && typeof reply.from_id === 'number') {
    const target: ReplyTarget = {
      messageId: String(reply.conversation_message_id),
      text: typeof reply.text === 'string' ? reply.text : '',
      sender: senderOf(reply.from_id, context),
    };
    if (typeof reply.date === 'number') target.at = new Date(reply.date * 1000);
    event.replyTo = target;
  }
  return event;
}

/**
 * Maps one VK event to the core's event, or undefined for events the core does not act on. Pure: names
 * and titles come from `context`, and a missing one gets a placeholder.
 */
export function toEvent(update: VkUpdate, context: MappingContext): InboundEvent | undefined {
  const key = updateKey(update);
  const message = messageOf(update);
  if (message) return messageEvent(message, key, context);
  const press = pressOf(update);
  if (press) {
    const data = buttonData(press.payload);
    if (data === undefined) return undefined;
    return {
      updateKey: key,
      at: context.now,
      kind: 'button',
      chat: chatOf(press.peer_id, context),
      user: userOf(press.user_id, context),
      messageId: String(press.conversation_message_id ?? 0),
      data,
      pressId: encodePressId(press),
    };
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function unique(ids: Array<number | undefined>): number[] {
  return [...new Set(ids.filter((id): id is number => typeof id === 'number' && id !== 0))];
}
