import type { User } from 'telegraf/types';
import { badRequest } from '../errors.js';
import {
  type ChatRecord,
  fullPermissions,
  isInChat,
  isRedundantRestriction,
  LEFT,
  MEMBER,
  type MemberState,
  normalizeUntil,
  permissionsFromInput,
} from '../model.js';
import type { ParamReader } from '../params.js';
import { fullChatJson, memberJson } from '../serialize.js';
import type { Permissions } from '../types.js';
import type { World } from '../world.js';
import { accessChat, type MethodHandler, requireUser } from './context.js';

/** getChat: the full chat, with `permissions` for groups. */
export const getChat: MethodHandler = (p, { world }) => fullChatJson(accessChat(world, p.chatId(), 'read'));

/** getChatMember: any user the fake knows; `left` when they were never in the chat. */
export const getChatMember: MethodHandler = (p, { world }) => {
  const userId = p.userId();
  const chat = accessChat(world, p.chatId(), 'readMembers');
  const user = requireUser(world, userId);
  if (chat.type === 'private') {
    const inside = userId === chat.privateUser?.id || userId === world.botUser.id;
    return memberJson(chat, user, inside ? MEMBER : LEFT);
  }
  return memberJson(chat, user, world.state(chat, userId));
};

/** getChatAdministrators: creator and administrators; other bots are left out, this bot is included. */
export const getChatAdministrators: MethodHandler = (p, { world }) => {
  const chat = accessChat(world, p.chatId(), 'readMembers');
  if (chat.type === 'private') throw badRequest('there are no administrators in the private chat');
  return world
    .entries(chat)
    .filter((e) => e.state.status === 'creator' || e.state.status === 'administrator')
    .filter((e) => !e.user.is_bot || e.user.id === world.botUser.id)
    .map((e) => memberJson(chat, e.user, e.state));
};

/** getChatMemberCount (and the old getChatMembersCount): everyone inside, bots included. */
export const getChatMemberCount: MethodHandler = (p, { world }) => {
  const chat = accessChat(world, p.chatId(), 'readMembers');
  if (chat.type === 'private') return chat.privateUser?.id === world.botUser.id ? 1 : 2;
  return world.entries(chat).filter((e) => isInChat(e.state)).length;
};

/**
 * restrictChatMember (supergroups): permissions replace the member's own; absent fields are false. Permissions
 * that restrict nothing beyond the chat's defaults make the user an ordinary member again.
 */
export const restrictChatMember: MethodHandler = (p, { world }) => {
  const userId = p.userId();
  const untilDate = p.int('until_date');
  const { permissions, legacy } = readPermissions(p, true);
  const chat = accessChat(world, p.chatId(), 'write');
  if (chat.type !== 'supergroup') throw badRequest('method is available only for supergroups');
  const user = requireUser(world, userId);
  const current = world.state(chat, userId);
  let wanted = permissions;
  if (legacy && current.status === 'restricted') {
    // The legacy flat parameters cannot express these, so telegram-bot-api keeps the old values.
    const old = current.permissions;
    wanted = {
      ...wanted,
      can_send_polls: old.can_send_polls,
      can_change_info: old.can_change_info,
      can_invite_users: old.can_invite_users,
      can_pin_messages: old.can_pin_messages,
      can_manage_topics: old.can_manage_topics,
    };
  }
  const inside = isInChat(current);
  const next: MemberState = isRedundantRestriction(wanted, chat.permissions)
    ? inside
      ? MEMBER
      : LEFT
    : {
        status: 'restricted',
        permissions: wanted,
        isMember: inside,
        untilDate: normalizeUntil(untilDate, world.now()),
      };
  setSupergroupStatus(world, chat, user, next);
  return true;
};

/**
 * banChatMember: in supergroups the user becomes `kicked` (until_date as for restrictions); in basic groups they
 * are only removed, and revoke_messages deletes their messages.
 */
export const banChatMember: MethodHandler = (p, { world }) => {
  const userId = p.userId();
  const untilDate = p.int('until_date');
  const revoke = p.bool('revoke_messages');
  const chat = accessChat(world, p.chatId(), 'write');
  if (chat.type === 'private') throw badRequest("Can't ban members in private chats");
  const user = requireUser(world, userId);
  if (chat.type === 'group') {
    removeFromGroup(world, chat, user);
    if (revoke) {
      for (const record of chat.messages.values()) if (record.from.id === user.id) record.deleted = true;
    }
    return true;
  }
  setSupergroupStatus(world, chat, user, {
    status: 'kicked',
    untilDate: normalizeUntil(untilDate, world.now()),
  });
  return true;
};

/**
 * unbanChatMember (supergroups): lifts a ban to `left`. Without only_if_banned it also removes a current member
 * (Telegram bans for a minute, then lifts the ban); with it, anyone not banned is left alone.
 */
export const unbanChatMember: MethodHandler = (p, { world }) => {
  const userId = p.userId();
  const onlyIfBanned = p.bool('only_if_banned');
  const chat = accessChat(world, p.chatId(), 'write');
  if (chat.type !== 'supergroup')
    throw badRequest('method is available for supergroup and channel chats only');
  const user = requireUser(world, userId);
  if (onlyIfBanned && world.state(chat, userId).status !== 'kicked') return true;
  setSupergroupStatus(world, chat, user, LEFT);
  return true;
};

/** setChatPermissions: the chat's default member permissions; absent fields are false. */
export const setChatPermissions: MethodHandler = (p, { world }) => {
  const { permissions } = readPermissions(p, false);
  const chat = accessChat(world, p.chatId(), 'write');
  if (chat.type === 'private') throw badRequest("Can't change private chat permissions");
  if (!world.botCan(chat, 'can_restrict_members'))
    throw badRequest('Not enough rights to change chat permissions');
  chat.permissions = permissions;
  return true;
};

/** leaveChat: the bot leaves; Telegram reports it as my_chat_member and a left_chat_member message. */
export const leaveChat: MethodHandler = (p, { world }) => {
  const chat = accessChat(world, p.chatId(), 'read');
  if (chat.type === 'private') throw badRequest("Can't leave private chats");
  if (isInChat(world.botState(chat))) world.remove(chat, world.botUser, world.botUser, LEFT);
  return true;
};

/**
 * Port of TDLib's set_channel_participant_status_impl / restrict_channel_participant for the bot acting on a
 * user: owner and self checks, then the bot's can_restrict_members, then administrators it cannot edit.
 */
function setSupergroupStatus(world: World, chat: ChatRecord, user: User, next: MemberState): void {
  const bot = world.botUser;
  const old = world.state(chat, user.id);
  if (JSON.stringify(memberJson(chat, user, old)) === JSON.stringify(memberJson(chat, user, next))) return;
  if (old.status === 'creator') throw badRequest("Can't remove chat owner");
  if (user.id === bot.id) {
    if (next.status === 'restricted' || next.status === 'kicked') throw badRequest("Can't restrict self");
    if (isInChat(next)) throw badRequest("Can't unrestrict self");
    world.remove(chat, bot, bot, next);
    return;
  }
  if (!world.botCan(chat, 'can_restrict_members')) {
    throw badRequest('Not enough rights to restrict/unrestrict chat member');
  }
  if (old.status === 'administrator' && !old.canBeEdited)
    throw badRequest('user is an administrator of the chat');
  if (isInChat(old) && !isInChat(next)) {
    if (next.status === 'kicked') {
      world.remove(chat, user, bot, next);
    } else {
      // A participant cannot be made "left" directly: Telegram bans for a minute, then applies the new status.
      world.remove(chat, user, bot, { status: 'kicked', untilDate: world.now() + 60 });
      world.changeMember(chat, user, next, bot);
    }
    return;
  }
  world.changeMember(chat, user, next, bot);
}

// Basic groups have no ban list: "banning" deletes the participant (messages.deleteChatUser).
function removeFromGroup(world: World, chat: ChatRecord, user: User): void {
  const bot = world.botUser;
  if (user.id === bot.id) {
    world.remove(chat, bot, bot, LEFT);
    return;
  }
  const target = world.state(chat, user.id);
  if (world.botState(chat).status !== 'administrator') throw badRequest('CHAT_ADMIN_REQUIRED');
  if (target.status === 'creator') throw badRequest("Can't remove chat owner");
  if (target.status === 'administrator') throw badRequest('user is an administrator of the chat');
  if (!isInChat(target)) throw badRequest('USER_NOT_PARTICIPANT');
  world.remove(chat, user, bot, LEFT);
}

/**
 * Permissions from `permissions` (JSON) or, for restrictChatMember only, the legacy flat parameters; a port of
 * telegram-bot-api's `get_chat_permissions`.
 */
function readPermissions(
  p: ParamReader,
  allowLegacy: boolean,
): { permissions: Permissions; legacy: boolean } {
  const independent = p.bool('use_independent_chat_permissions');
  if (p.has('permissions')) {
    const value = p.json('permissions', 'permissions');
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw badRequest('Object expected as permissions');
    }
    return {
      permissions: permissionsFromInput(value as Record<string, unknown>, independent),
      legacy: false,
    };
  }
  if (!allowLegacy) return { permissions: fullPermissions({}), legacy: false };
  let messages = p.bool('can_send_messages');
  let media = p.bool('can_send_media_messages');
  const other = p.bool('can_send_other_messages');
  const previews = p.bool('can_add_web_page_previews');
  if ((other || previews) && !independent) media = true;
  if (media && !independent) messages = true;
  const all = messages && media && other && previews;
  const legacyFields = ['can_send_messages', 'can_send_media_messages', 'can_send_other_messages'];
  const mentioned = [...legacyFields, 'can_add_web_page_previews'].some((name) => p.has(name));
  const permissions = fullPermissions({
    can_send_messages: messages,
    can_send_audios: media,
    can_send_documents: media,
    can_send_photos: media,
    can_send_videos: media,
    can_send_video_notes: media,
    can_send_voice_notes: media,
    can_send_other_messages: other,
    can_add_web_page_previews: previews,
    // A legacy "everything allowed" also lifts the rights the flat parameters cannot name.
    can_send_polls: all,
    can_change_info: all,
    can_invite_users: all,
    can_pin_messages: all,
    can_manage_topics: all,
  });
  return { permissions, legacy: !all && mentioned };
}
