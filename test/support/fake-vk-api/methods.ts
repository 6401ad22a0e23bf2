import { VK_ERRORS, VkApiError } from './errors.js';
import type { EventLog } from './events.js';
import { CHAT_PEER_OFFSET, type EventAnswer, type KeyboardButton } from './types.js';
import type { Conversation, MessageRecord, World } from './world.js';

export interface MethodContext {
  readonly world: World;
  readonly events: EventLog;
  /** `http://127.0.0.1:<port>`, for the Long Poll server address. */
  readonly origin: string;
  readonly answers: EventAnswer[];
}

/** Form parameters of one call, read the way VK reads them (numbers, comma lists, 0/1 flags). */
export class Params {
  constructor(readonly raw: Readonly<Record<string, string>>) {}

  string(name: string): string | undefined {
    return this.raw[name];
  }

  int(name: string): number | undefined {
    const value = this.raw[name];
    if (value === undefined || value === '') return undefined;
    const number = Number(value);
    if (!Number.isSafeInteger(number)) throw VK_ERRORS.param(`${name} not integer`);
    return number;
  }

  requireInt(name: string): number {
    const value = this.int(name);
    if (value === undefined) throw VK_ERRORS.param(`${name} is undefined`);
    return value;
  }

  ints(name: string): number[] {
    const value = this.raw[name];
    if (value === undefined || value === '') return [];
    return value.split(',').map((part) => {
      const number = Number(part.trim());
      if (!Number.isSafeInteger(number)) throw VK_ERRORS.param(`${name} not integer`);
      return number;
    });
  }

  flag(name: string): boolean {
    const value = this.raw[name];
    return value === '1' || value === 'true';
  }
}

type Method = (ctx: MethodContext, params: Params) => unknown;

/** Seconds after sending that a community may still edit its message (as for people). */
const EDIT_WINDOW_S = 24 * 3600;
/** A button press may be answered for a minute. */
const EVENT_ANSWER_WINDOW_MS = 60_000;
const MAX_MESSAGE_CHARS = 4096;

export const METHODS: Readonly<Record<string, Method>> = {
  'groups.getById': ({ world }, params) => {
    const asked = params.string('group_ids') ?? params.string('group_id');
    if (asked !== undefined) {
      for (const id of asked.split(',')) {
        const trimmed = id.trim();
        if (trimmed !== String(world.groupId) && trimmed !== world.group.screenName) {
          throw VK_ERRORS.param('group_ids is invalid');
        }
      }
    }
    return { groups: [groupJson(world)], profiles: [] };
  },

  'groups.getLongPollServer': ({ world, events, origin }, params) => {
    if (params.requireInt('group_id') !== world.groupId) throw VK_ERRORS.access('no access to this group');
    return { key: events.currentKey(), server: `${origin}/lp/wh${world.groupId}`, ts: String(events.ts) };
  },

  'users.get': ({ world }, params) => {
    const ids = params.ints('user_ids');
    const withScreenName = (params.string('fields') ?? '').split(',').includes('screen_name');
    const found = ids.flatMap((id) => {
      const user = world.users.get(id);
      return user ? [userJson(user, withScreenName)] : [];
    });
    if (ids.length > 0 && found.length === 0) throw VK_ERRORS.invalidUserId();
    return found;
  },

  'messages.getConversationsById': ({ world }, params) => {
    const items = params.ints('peer_ids').flatMap((peerId) => {
      const chat = world.chat(peerId);
      if (chat) {
        if (!world.communityIn(chat)) return [];
        const owner = [...chat.members.values()].find((m) => m.isOwner);
        return [
          {
            peer: { id: peerId, type: 'chat', local_id: peerId - CHAT_PEER_OFFSET },
            can_write: { allowed: true },
            chat_settings: {
              title: chat.title,
              owner_id: owner?.memberId ?? 0,
              members_count: chat.members.size,
              state: 'in',
              admin_ids: [...chat.members.values()]
                .filter((m) => m.isAdmin && !m.isOwner)
                .map((m) => m.memberId),
              active_ids: [],
            },
          },
        ];
      }
      if (peerId > 0 && peerId < CHAT_PEER_OFFSET && world.users.has(peerId)) {
        return [
          {
            peer: { id: peerId, type: 'user', local_id: peerId },
            can_write: { allowed: world.allowsMessages.has(peerId) },
          },
        ];
      }
      return [];
    });
    return { count: items.length, items };
  },

  'messages.send': ({ world }, params) => {
    const randomId = params.int('random_id');
    if (randomId === undefined) throw VK_ERRORS.param('random_id is undefined');
    const text = params.string('message') ?? '';
    if (text === '' && !params.string('attachment')) throw VK_ERRORS.param('message is empty or invalid');
    if ([...text].length > MAX_MESSAGE_CHARS) throw VK_ERRORS.tooLong();
    const keyboardParam = params.string('keyboard');
    const keyboard = keyboardParam === undefined ? undefined : parseKeyboard(keyboardParam);
    const forward = params.string('forward');
    const replyTo = params.int('reply_to');

    const deliver = (peerId: number): MessageRecord => {
      const conversation = sendTarget(world, peerId);
      const repeated = randomId === 0 ? undefined : world.randomIds.get(dedupeKey(peerId, randomId));
      if (repeated) return repeated;
      const replyCmid = replyTarget(world, conversation, forward, replyTo);
      const record = world.post(conversation, world.self, text, {
        randomId,
        ...(replyCmid !== undefined && { replyTo: replyCmid }),
        ...(keyboard && keyboard.buttons.length > 0 && { keyboard }),
      });
      if (randomId !== 0) world.randomIds.set(dedupeKey(peerId, randomId), record);
      return record;
    };

    // With peer_ids (communities only) VK answers per peer, with the conversation_message_id; with
    // peer_id it answers the message id alone, which for a community in a chat is no usable id.
    if (params.string('peer_ids') !== undefined) {
      return params.ints('peer_ids').map((peerId) => {
        try {
          const record = deliver(peerId);
          return { peer_id: peerId, message_id: record.id, conversation_message_id: record.cmid };
        } catch (error) {
          if (!(error instanceof VkApiError)) throw error;
          return {
            peer_id: peerId,
            message_id: 0,
            conversation_message_id: 0,
            error: { code: error.code, description: error.msg },
          };
        }
      });
    }
    const peerId = params.int('peer_id') ?? params.int('user_id');
    if (peerId === undefined) throw VK_ERRORS.param('peer_id is undefined');
    return deliver(peerId).id;
  },

  'messages.edit': ({ world }, params) => {
    const conversation = visibleConversation(world, params.requireInt('peer_id'));
    const record = findMessage(conversation, params);
    if (!record || record.deleted) throw VK_ERRORS.messageNotFound();
    if (record.fromId !== world.self) throw VK_ERRORS.editKindDisallowed();
    if (world.nowSeconds() - record.date > EDIT_WINDOW_S) throw VK_ERRORS.editExpired();
    const text = params.string('message');
    if (text !== undefined) {
      if ([...text].length > MAX_MESSAGE_CHARS) throw VK_ERRORS.tooLong();
      record.edits.push(record.text);
      record.text = text;
    }
    const keyboardParam = params.string('keyboard');
    if (keyboardParam !== undefined) {
      const keyboard = parseKeyboard(keyboardParam);
      if (keyboard.buttons.length > 0) record.keyboard = keyboard;
      else delete record.keyboard;
    }
    return 1;
  },

  'messages.delete': ({ world }, params) => {
    const peerId = params.requireInt('peer_id');
    const conversation = visibleConversation(world, peerId);
    const forAll = params.flag('delete_for_all');
    const cmids = params.ints('cmids');
    if (cmids.length === 0) throw VK_ERRORS.param('cmids is undefined');
    const results = cmids.map((cmid) => {
      try {
        const record = world.message(conversation, cmid);
        if (!record || record.deleted) throw VK_ERRORS.messageNotFound();
        if (forAll && record.fromId !== world.self) {
          // Others' messages go for everyone only by a chat admin, and never the owner's.
          const author = conversation.members.get(record.fromId);
          const allowed =
            conversation.kind === 'chat' && world.communityIsAdmin(conversation) && author?.isOwner !== true;
          if (!allowed) throw VK_ERRORS.cantDeleteForAll();
        }
        record.deleted = forAll ? 'for_all' : 'for_community';
        return { peer_id: peerId, message_id: 0, conversation_message_id: cmid, response: 1 };
      } catch (error) {
        if (!(error instanceof VkApiError)) throw error;
        return {
          peer_id: peerId,
          message_id: 0,
          conversation_message_id: cmid,
          response: 0,
          error: { code: error.code, description: error.msg },
        };
      }
    });
    // Assumption: when nothing could be deleted VK answers the method error rather than a list of failures.
    const first = results[0];
    if (first?.error && results.every((r) => r.error))
      throw new VkApiError(first.error.code, first.error.description);
    return results;
  },

  'messages.removeChatUser': ({ world }, params) => {
    const chat = adminChat(world, CHAT_PEER_OFFSET + params.requireInt('chat_id'), VK_ERRORS.chatNotAdmin);
    const memberId = params.int('member_id') ?? params.int('user_id');
    if (memberId === undefined) throw VK_ERRORS.param('member_id is undefined');
    const member = chat.members.get(memberId);
    if (!member) throw VK_ERRORS.userNotInChat();
    if (member.isOwner) throw VK_ERRORS.access("can't kick the chat owner");
    if (member.isAdmin && memberId !== world.self) throw VK_ERRORS.access("can't kick an administrator");
    chat.members.delete(memberId);
    // The service message is the community's own; the fake still sends it as message_new (unverified).
    const record = world.post(chat, world.self, '', {
      action: { type: 'chat_kick_user', member_id: memberId },
    });
    world.emitMessageNew(chat, record);
    return 1;
  },

  'messages.getConversationMembers': ({ world }, params) => {
    const chat = adminChat(world, params.requireInt('peer_id'), VK_ERRORS.chatNoAccess);
    const offset = params.int('offset') ?? 0;
    const count = Math.min(params.int('count') ?? 20, 200);
    const withScreenName = (params.string('fields') ?? '').split(',').includes('screen_name');
    const all = [...chat.members.values()];
    const page = all.slice(offset, offset + count);
    return {
      count: all.length,
      items: page.map((member) => ({
        member_id: member.memberId,
        invited_by: member.invitedBy,
        join_date: member.joinDate,
        ...(member.isAdmin && { is_admin: true }),
        ...(member.isOwner && { is_owner: true }),
        ...(!member.isAdmin && member.memberId !== world.self && { can_kick: true }),
        ...(world.isRestricted(chat, member.memberId) && { is_restricted_to_write: true }),
      })),
      profiles: page.flatMap((member) => {
        const user = world.users.get(member.memberId);
        return user ? [userJson(user, withScreenName)] : [];
      }),
      groups: page.some((member) => member.memberId === world.self) ? [groupJson(world)] : [],
    };
  },

  'messages.getInviteLink': ({ world }, params) => {
    const chat = adminChat(world, params.requireInt('peer_id'), VK_ERRORS.cantSeeInviteLink);
    const link = params.flag('reset') || !chat.inviteLink ? world.resetInviteLink(chat) : chat.inviteLink;
    return { link };
  },

  // Undocumented; the response shape (`failed_member_ids`) is as third-party SDKs model it.
  'messages.changeConversationMemberRestrictions': ({ world }, params) => {
    const chat = adminChat(world, params.requireInt('peer_id'), VK_ERRORS.chatNotAdmin);
    const action = params.string('action');
    if (action !== 'ro' && action !== 'rw') throw VK_ERRORS.param('action is invalid');
    const memberIds = params.ints('member_ids');
    if (memberIds.length === 0) throw VK_ERRORS.param('member_ids is undefined');
    const seconds = params.int('for');
    if (seconds !== undefined && seconds <= 0) throw VK_ERRORS.param('for is invalid');
    const failed: number[] = [];
    for (const memberId of memberIds) {
      const member = chat.members.get(memberId);
      if (!member || member.isAdmin || memberId === world.self) {
        failed.push(memberId);
        continue;
      }
      if (action === 'ro') chat.restrictions.set(memberId, seconds ? world.nowSeconds() + seconds : null);
      else chat.restrictions.delete(memberId);
    }
    return { failed_member_ids: failed };
  },

  'messages.sendMessageEventAnswer': ({ world, answers }, params) => {
    const eventId = params.string('event_id');
    if (!eventId) throw VK_ERRORS.param('event_id is undefined');
    const userId = params.requireInt('user_id');
    const peerId = params.requireInt('peer_id');
    const press = world.presses.get(eventId);
    const fresh = press && world.clock().getTime() - press.at <= EVENT_ANSWER_WINDOW_MS;
    if (!press || !fresh || press.answered || press.userId !== userId || press.peerId !== peerId) {
      throw VK_ERRORS.param('event_id is invalid');
    }
    const rawData = params.string('event_data');
    const eventData = rawData === undefined ? undefined : parseEventData(rawData);
    press.answered = true;
    answers.push({ eventId, userId, peerId, ...(eventData && { eventData }) });
    return 1;
  },
};

function dedupeKey(peerId: number, randomId: number): string {
  return `${peerId}:${randomId}`;
}

function groupJson(world: World): Record<string, unknown> {
  return {
    id: world.groupId,
    name: world.group.name,
    screen_name: world.group.screenName,
    is_closed: 0,
    type: 'group',
    photo_50: `https://sun.userapi.com/fake/${world.groupId}_50.png`,
  };
}

function userJson(
  user: { id: number; first_name: string; last_name: string; screen_name?: string },
  withScreenName: boolean,
): Record<string, unknown> {
  return {
    id: user.id,
    first_name: user.first_name,
    last_name: user.last_name,
    can_access_closed: true,
    is_closed: false,
    ...(withScreenName && { screen_name: user.screen_name ?? `id${user.id}` }),
  };
}

/** A chat or private conversation the community takes part in. */
function visibleConversation(world: World, peerId: number): Conversation {
  if (peerId >= CHAT_PEER_OFFSET) {
    const chat = world.chat(peerId);
    if (!chat || !world.communityIn(chat)) throw VK_ERRORS.chatNoAccess();
    return chat;
  }
  const conversation = world.conversations.get(peerId);
  if (!conversation) throw VK_ERRORS.param('peer_id is invalid');
  return conversation;
}

/** A chat where the community is an administrator; `notAdmin` is the method's refusal otherwise. */
function adminChat(world: World, peerId: number, notAdmin: () => VkApiError): Conversation {
  const chat = world.chat(peerId);
  if (!chat || !world.communityIn(chat)) throw VK_ERRORS.chatNoAccess();
  if (!world.communityIsAdmin(chat)) throw notAdmin();
  return chat;
}

function sendTarget(world: World, peerId: number): Conversation {
  if (peerId >= CHAT_PEER_OFFSET) return visibleConversation(world, peerId);
  if (peerId <= 0) throw VK_ERRORS.param('peer_id is invalid');
  if (!world.users.has(peerId)) throw VK_ERRORS.contactNotFound();
  if (!world.allowsMessages.has(peerId)) throw VK_ERRORS.denySend();
  return world.privateConversation(peerId);
}

function findMessage(conversation: Conversation, params: Params): MessageRecord | undefined {
  const cmid = params.int('conversation_message_id') ?? params.int('cmid');
  if (cmid !== undefined) return conversation.messages[cmid - 1];
  const id = params.int('message_id');
  if (id === undefined) throw VK_ERRORS.param('conversation_message_id is undefined');
  return id === 0 ? undefined : conversation.messages.find((m) => m.id === id);
}

/** A reply: `forward` with `is_reply` (any conversation) or `reply_to` with a message id (private). */
function replyTarget(
  world: World,
  conversation: Conversation,
  forward: string | undefined,
  replyTo: number | undefined,
): number | undefined {
  if (forward !== undefined) {
    let parsed: { peer_id?: unknown; conversation_message_ids?: unknown; is_reply?: unknown };
    try {
      parsed = JSON.parse(forward) as typeof parsed;
    } catch {
      throw VK_ERRORS.param('forward is invalid');
    }
    const ids = Array.isArray(parsed.conversation_message_ids) ? parsed.conversation_message_ids : [];
    const cmid = Number(ids[0]);
    if (parsed.peer_id !== conversation.peerId || !world.message(conversation, cmid)) {
      throw VK_ERRORS.param('forward is invalid');
    }
    return parsed.is_reply ? cmid : undefined;
  }
  if (replyTo === undefined) return undefined;
  const target = conversation.messages.find((m) => m.id !== 0 && m.id === replyTo);
  if (!target) throw VK_ERRORS.param('reply_to is invalid');
  return target.cmid;
}

/** VK's keyboard rules that matter here: labels ≤ 40, JSON payloads ≤ 255, inline ≤ 6 rows × 5, ≤ 10. */
function parseKeyboard(raw: string): { inline: boolean; buttons: KeyboardButton[][] } {
  let parsed: { inline?: unknown; buttons?: unknown };
  try {
    parsed = JSON.parse(raw) as typeof parsed;
  } catch {
    throw VK_ERRORS.keyboardInvalid('not JSON');
  }
  if (!Array.isArray(parsed.buttons)) throw VK_ERRORS.keyboardInvalid('buttons is not an array');
  const inline = parsed.inline === true;
  const rows = parsed.buttons as unknown[];
  if (inline && (rows.length > 6 || rows.flat().length > 10))
    throw VK_ERRORS.keyboardInvalid('too many buttons');
  const buttons = rows.map((row) => {
    if (!Array.isArray(row) || row.length === 0 || row.length > 5) throw VK_ERRORS.keyboardInvalid('bad row');
    return row.map((button: unknown): KeyboardButton => {
      const action = (button as { action?: Record<string, unknown> } | null)?.action;
      const type = action?.type;
      const label = action?.label;
      if (typeof type !== 'string' || !['callback', 'text', 'open_link'].includes(type)) {
        throw VK_ERRORS.keyboardInvalid('unsupported action type');
      }
      if (typeof label !== 'string' || label.length === 0 || [...label].length > 40) {
        throw VK_ERRORS.keyboardInvalid('label must be 1–40 characters');
      }
      const payload = action?.payload;
      if (payload !== undefined) {
        if (typeof payload !== 'string' || payload.length > 255) throw VK_ERRORS.keyboardInvalid('payload');
        try {
          JSON.parse(payload);
        } catch {
          throw VK_ERRORS.keyboardInvalid('payload is not JSON');
        }
      }
      const link = action?.link;
      if (type === 'open_link' && (typeof link !== 'string' || !/^https?:\/\//.test(link))) {
        throw VK_ERRORS.keyboardInvalid('open_link needs a link');
      }
      return {
        type,
        label,
        ...(typeof payload === 'string' && { payload }),
        ...(typeof link === 'string' && { link }),
      };
    });
  });
  return { inline, buttons };
}

/** show_snackbar (text ≤ 90), open_link or open_app, as sendMessageEventAnswer takes them. */
function parseEventData(raw: string): Record<string, unknown> {
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    throw VK_ERRORS.param('event_data is invalid');
  }
  const ok =
    (data.type === 'show_snackbar' &&
      typeof data.text === 'string' &&
      data.text.length > 0 &&
      [...data.text].length <= 90) ||
    (data.type === 'open_link' && typeof data.link === 'string') ||
    data.type === 'open_app';
  if (!ok) throw VK_ERRORS.param('event_data is invalid');
  return data;
}
