import {
  activeChat,
  type Call,
  type FakeContext,
  knownChat,
  type Method,
  pathInt,
  SUCCESS,
} from './context.js';
import { MAX_ERRORS } from './errors.js';
import { Events } from './events.js';
import { type ChatRecord, isRecord } from './world.js';

const MEMBERS_PAGE = { min: 1, max: 100, default: 20 } as const;

/** `/chats/{chatId}` and its members. */
export const CHAT_METHODS: Readonly<Record<string, Method>> = {
  /** A chat the bot is or was in; `status` tells which (`active`, `removed`, `left`). */
  'GET /chats/{chatId}': (ctx, call) => ctx.wire.chat(knownChat(ctx, pathInt(call, 'chatId'))),

  'PATCH /chats/{chatId}': (ctx, call) => {
    const chat = groupWithRight(ctx, call, 'change_chat_info');
    const body = isRecord(call.body) ? call.body : {};
    if (typeof body.title === 'string') {
      if (body.title.length < 1 || body.title.length > 200)
        throw MAX_ERRORS.payload('title: 1-200 characters');
      chat.title = body.title;
      new Events(ctx).titleChanged(chat, ctx.world.bot.id);
    }
    if (typeof body.description === 'string') chat.description = body.description || null;
    return ctx.wire.chat(chat);
  },

  /** Members, 20 a page by default; `user_ids` asks for those people only (count and marker ignored). */
  'GET /chats/{chatId}/members': (ctx, call) => {
    const chat = activeChat(ctx, pathInt(call, 'chatId'));
    const members = [...chat.members.values()];
    const wanted = call.query.list('user_ids');
    if (wanted) {
      const ids = new Set(wanted.map(Number));
      return {
        members: members.filter((m) => ids.has(m.userId)).map((m) => ctx.wire.member(m)),
        marker: null,
      };
    }
    const count = Math.min(
      Math.max(call.query.int('count') ?? MEMBERS_PAGE.default, MEMBERS_PAGE.min),
      MEMBERS_PAGE.max,
    );
    const from = call.query.int('marker') ?? 0;
    const page = members.slice(from, from + count);
    const next = from + page.length;
    return { members: page.map((m) => ctx.wire.member(m)), marker: next < members.length ? next : null };
  },

  /** Adds people (up to 100); those who cannot be added are listed, not refused as a whole. */
  'POST /chats/{chatId}/members': (ctx, call) => {
    const chat = groupWithRight(ctx, call, 'add_remove_members');
    const ids = isRecord(call.body) && Array.isArray(call.body.user_ids) ? call.body.user_ids : undefined;
    if (!ids || ids.length === 0 || ids.length > 100 || !ids.every((id) => Number.isSafeInteger(id))) {
      throw MAX_ERRORS.payload('user_ids: 1-100 user ids required');
    }
    const failed = { privacy: [] as number[], notFound: [] as number[] };
    const events = new Events(ctx);
    for (const id of ids as number[]) {
      const user = ctx.world.user(id);
      if (!user || user.isBot) failed.notFound.push(id);
      else if (chat.members.has(id)) continue;
      else if (user.privacy || (chat.blocked.has(id) && !ctx.addingLiftsBlock)) failed.privacy.push(id);
      else {
        chat.blocked.delete(id);
        ctx.world.join(chat, id, ctx.world.bot.id);
        events.userAdded(chat, id, ctx.world.bot.id);
      }
    }
    const details = [
      ...(failed.privacy.length > 0
        ? [{ error_code: 'add.participant.privacy', user_ids: failed.privacy }]
        : []),
      ...(failed.notFound.length > 0
        ? [{ error_code: 'add.participant.not.found', user_ids: failed.notFound }]
        : []),
    ];
    const failedIds = [...failed.privacy, ...failed.notFound];
    return failedIds.length === 0
      ? SUCCESS
      : { success: false, failed_user_ids: failedIds, failed_user_details: details };
  },

  /**
   * Removes a member; `block=true` also bars them from coming back by link, but only where the chat has a
   * public or private link (schema: "Ignored otherwise").
   */
  'DELETE /chats/{chatId}/members': (ctx, call) => {
    const chat = groupWithRight(ctx, call, 'add_remove_members');
    const userId = call.query.requireInt('user_id');
    const member = chat.members.get(userId);
    if (!member || userId === ctx.world.bot.id) {
      throw MAX_ERRORS.notFound(`User ${userId} is not a member of chat ${chat.id}`);
    }
    if (member.isOwner) throw MAX_ERRORS.noRights('The chat owner cannot be removed');
    if (call.query.bool('block') && chat.link !== null) chat.blocked.add(userId);
    chat.members.delete(userId);
    chat.lastEventTime = ctx.world.now();
    new Events(ctx).userRemoved(chat, userId, ctx.world.bot.id);
    return SUCCESS;
  },

  /** The admins, owner included. The bot must be an admin itself. */
  'GET /chats/{chatId}/members/admins': (ctx, call) => {
    const chat = activeChat(ctx, pathInt(call, 'chatId'));
    if (!ctx.world.botMember(chat)?.isAdmin)
      throw MAX_ERRORS.noRights('Bot is not an administrator of this chat');
    const admins = [...chat.members.values()].filter((m) => m.isAdmin);
    return { members: admins.map((m) => ctx.wire.member(m)), marker: null };
  },

  /** The bot's own membership, with its admin permissions. */
  'GET /chats/{chatId}/members/me': (ctx, call) => {
    const chat = activeChat(ctx, pathInt(call, 'chatId'));
    const member = ctx.world.botMember(chat);
    if (!member) throw MAX_ERRORS.notInChat(chat.id);
    return ctx.wire.member(member);
  },

  'DELETE /chats/{chatId}/members/me': (ctx, call) => {
    const chat = activeChat(ctx, pathInt(call, 'chatId'));
    chat.members.delete(ctx.world.bot.id);
    chat.botGone = 'left';
    return SUCCESS;
  },
};

/** A group chat the bot is in as an admin holding `permission`. */
function groupWithRight(
  ctx: FakeContext,
  call: Call,
  permission: 'add_remove_members' | 'change_chat_info',
): ChatRecord {
  const chat = activeChat(ctx, pathInt(call, 'chatId'));
  if (chat.type !== 'chat') throw MAX_ERRORS.payload('Not a group chat');
  if (!ctx.world.botMay(chat, permission))
    throw MAX_ERRORS.noRights(`Not enough rights: ${permission} required`);
  return chat;
}
