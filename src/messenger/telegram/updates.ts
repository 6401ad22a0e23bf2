import type { Chat, ChatMember, Message, Update, User } from 'telegraf/types';
import type {
  BotRights,
  ChatInfo,
  CommandCall,
  InboundEvent,
  MemberStatus,
  ReplyTarget,
  Sender,
  UserInfo,
} from '../port.js';

/** Every update type the bot handles. `chat_member` must be named: Telegram omits it by default. */
export const ALLOWED_UPDATES = [
  'message',
  'callback_query',
  'chat_member',
  'my_chat_member',
  'chat_join_request',
] as const;

/** Telegram's "GroupAnonymousBot", the `from` of messages an anonymous administrator posts. */
const ANONYMOUS_ADMIN_BOT_ID = 1_087_968_824;

/** Telegram's own service accounts: never people, whatever the update says. */
const SERVICE_ACCOUNTS = new Set([ANONYMOUS_ADMIN_BOT_ID, 777_000, 136_817_688]);

export function toUser(user: User): UserInfo {
  const isBot = user.is_bot || SERVICE_ACCOUNTS.has(user.id);
  const info: UserInfo = { userId: String(user.id), firstName: user.first_name, isBot };
  if (user.last_name) info.lastName = user.last_name;
  if (user.username) info.username = user.username;
  if (user.language_code) info.languageCode = user.language_code;
  return info;
}

function toChat(chat: Chat): ChatInfo {
  const title = 'title' in chat ? chat.title : 'first_name' in chat ? chat.first_name : '';
  const type = chat.type === 'channel' ? 'supergroup' : chat.type;
  return { platform: 'telegram', platformChatId: String(chat.id), type, title };
}

function senderOf(message: Message): Sender | undefined {
  if (message.sender_chat) {
    if (message.sender_chat.id === message.chat.id) return { kind: 'anonymous_admin' };
    const title = 'title' in message.sender_chat ? message.sender_chat.title : '';
    return { kind: 'channel', title };
  }
  if (!message.from) return undefined;
  if (message.from.id === ANONYMOUS_ADMIN_BOT_ID) return { kind: 'anonymous_admin' };
  return { kind: 'user', user: toUser(message.from) };
}

function textOf(message: Message): string {
  if ('text' in message && typeof message.text === 'string') return message.text;
  if ('caption' in message && typeof message.caption === 'string') return message.caption;
  return '';
}

const COMMAND = /^\/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{3,64}))?(?=$|\s)\s*([\s\S]*)$/;

/** `/strike@my_bot 2 rude` → { name: 'strike', args: '2 rude' }; a command for another bot is not ours. */
export function parseCommand(text: string, botUsername: string | undefined): CommandCall | undefined {
  const match = COMMAND.exec(text);
  if (!match) return undefined;
  const [, name, addressee, args] = match;
  if (addressee && botUsername && addressee.toLowerCase() !== botUsername.toLowerCase()) return undefined;
  return { name: (name ?? '').toLowerCase(), args: (args ?? '').trim() };
}

export function memberStatus(member: ChatMember): MemberStatus {
  if (member.status === 'restricted') return member.is_member ? 'restricted' : 'left';
  return member.status;
}

function rightsOf(member: ChatMember): BotRights {
  if (member.status === 'creator')
    return { canRestrictMembers: true, canDeleteMessages: true, canInviteUsers: true };
  if (member.status !== 'administrator')
    return { canRestrictMembers: false, canDeleteMessages: false, canInviteUsers: false };
  return {
    canRestrictMembers: member.can_restrict_members,
    canDeleteMessages: member.can_delete_messages,
    canInviteUsers: member.can_invite_users,
  };
}

const PRESENT: ReadonlySet<MemberStatus> = new Set(['creator', 'administrator', 'member', 'restricted']);

function messageEvent(
  message: Message,
  base: { updateKey: string },
  botUsername?: string,
): InboundEvent | undefined {
  const chat = toChat(message.chat);
  const at = new Date(message.date * 1000);
  const common = { ...base, at, chat };
  if ('migrate_to_chat_id' in message) {
    return {
      ...common,
      kind: 'chat_migrated',
      fromChatId: chat.platformChatId,
      toChatId: String(message.migrate_to_chat_id),
    };
  }
  if ('migrate_from_chat_id' in message) {
    return {
      ...common,
      kind: 'chat_migrated',
      fromChatId: String(message.migrate_from_chat_id),
      toChatId: chat.platformChatId,
    };
  }
  if ('new_chat_members' in message) {
    const members = message.new_chat_members.map(toUser);
    const by = message.from ? toUser(message.from) : undefined;
    const self = by && members.length === 1 && members[0]?.userId === by.userId;
    return {
      ...common,
      kind: 'members_joined',
      members,
      via: self ? 'link' : 'added',
      ...(by && !self ? { by } : {}),
      messageId: String(message.message_id),
    };
  }
  if ('left_chat_member' in message) {
    const member = toUser(message.left_chat_member);
    const by =
      message.from && message.from.id !== message.left_chat_member.id ? toUser(message.from) : undefined;
    return { ...common, kind: 'member_left', member, status: by ? 'kicked' : 'left', ...(by ? { by } : {}) };
  }
  const sender = senderOf(message);
  if (!sender) return undefined;
  const text = textOf(message);
  const event: InboundEvent = {
    ...common,
    kind: 'message',
    sender,
    messageId: String(message.message_id),
    text,
  };
  // A forwarded message is someone else's words: forwarding a moderator's `/strike` is never a command.
  const forwarded = 'forward_origin' in message || 'forward_date' in message;
  const command = text.startsWith('/') && !forwarded ? parseCommand(text, botUsername) : undefined;
  if (command) event.command = command;
  const reply = 'reply_to_message' in message ? message.reply_to_message : undefined;
  if (reply) {
    const target: ReplyTarget = {
      messageId: String(reply.message_id),
      text: textOf(reply as Message),
      at: new Date(reply.date * 1000),
    };
    const replySender = senderOf(reply as Message);
    if (replySender) target.sender = replySender;
    event.replyTo = target;
  }
  return event;
}

/**
 * Maps one Telegram update to the core's event, or undefined for updates the core does not act on.
 * `botUsername` tells commands addressed to this bot from those for another bot in the same chat.
 */
export function toEvent(
  update: Update,
  botUsername: string | undefined,
  now: Date,
): InboundEvent | undefined {
  const base = { updateKey: String(update.update_id) };
  if ('message' in update) return messageEvent(update.message, base, botUsername);
  if ('callback_query' in update) {
    const query = update.callback_query;
    if (!('data' in query) || !query.message) return undefined;
    return {
      ...base,
      at: now,
      kind: 'button',
      chat: toChat(query.message.chat),
      user: toUser(query.from),
      messageId: String(query.message.message_id),
      data: query.data,
      pressId: query.id,
    };
  }
  if ('chat_join_request' in update) {
    const request = update.chat_join_request;
    const event: InboundEvent = {
      ...base,
      at: new Date(request.date * 1000),
      kind: 'join_request',
      chat: toChat(request.chat),
      user: toUser(request.from),
      privateChat: { platform: 'telegram', platformChatId: String(request.user_chat_id) },
    };
    if (request.invite_link) event.inviteLink = request.invite_link.invite_link;
    return event;
  }
  if ('my_chat_member' in update) {
    const change = update.my_chat_member;
    return {
      ...base,
      at: new Date(change.date * 1000),
      kind: 'bot_membership',
      chat: toChat(change.chat),
      by: toUser(change.from),
      status: memberStatus(change.new_chat_member),
      previous: memberStatus(change.old_chat_member),
      rights: rightsOf(change.new_chat_member),
    };
  }
  if ('chat_member' in update) {
    const change = update.chat_member;
    const member = toUser(change.new_chat_member.user);
    const status = memberStatus(change.new_chat_member);
    const previous = memberStatus(change.old_chat_member);
    const by = toUser(change.from);
    const common = { ...base, at: new Date(change.date * 1000), chat: toChat(change.chat) };
    if (PRESENT.has(status) && !PRESENT.has(previous)) {
      // via_join_request is Bot API 7.2, newer than telegraf's typings.
      const viaRequest = (change as { via_join_request?: boolean }).via_join_request === true;
      const via = viaRequest ? 'request' : by.userId !== member.userId ? 'added' : 'link';
      return {
        ...common,
        kind: 'members_joined',
        members: [member],
        via,
        ...(via === 'added' ? { by } : {}),
      };
    }
    if (!PRESENT.has(status) && PRESENT.has(previous)) {
      const removedBy = by.userId !== member.userId ? by : undefined;
      return {
        ...common,
        kind: 'member_left',
        member,
        status: status === 'kicked' ? 'kicked' : 'left',
        ...(removedBy ? { by: removedBy } : {}),
      };
    }
    return { ...common, kind: 'member_status', member, by, status, previous };
  }
  return undefined;
}
