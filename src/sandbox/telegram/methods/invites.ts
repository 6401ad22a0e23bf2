import { badRequest } from '../errors.js';
import { type ChatRecord, isInChat } from '../model.js';
import { inviteLinkJson } from '../serialize.js';
import type { World } from '../world.js';
import { accessChat, type MethodHandler, requireUser } from './context.js';

const MAX_LINK_NAME_LENGTH = 32;

/**
 * createChatInviteLink: needs can_invite_users. `name` is cleaned and cut to 32 characters (TDLib's clean_name,
 * no error); member_limit is clamped to 0–100000 and cannot be combined with creates_join_request.
 */
export const createChatInviteLink: MethodHandler = (p, { world }) => {
  const name = cleanName(p.string('name'));
  const expireDate = p.clampedInt('expire_date', 0, 0, 2 ** 31 - 1);
  const memberLimit = p.clampedInt('member_limit', 0, 0, 100_000);
  const createsJoinRequest = p.bool('creates_join_request');
  const chat = manageableChat(world, p.chatId());
  if (createsJoinRequest && memberLimit > 0) {
    throw badRequest("Member limit can't be specified for links requiring administrator approval");
  }
  if (memberLimit > 99_999) throw badRequest('USAGE_LIMIT_INVALID');
  if (expireDate !== 0 && expireDate <= world.now()) throw badRequest('EXPIRE_DATE_INVALID');
  const link = world.addInviteLink(chat, {
    creator: world.botUser,
    createsJoinRequest,
    isPrimary: false,
    name: name === '' ? undefined : name,
    expireDate: expireDate === 0 ? undefined : expireDate,
    memberLimit: memberLimit === 0 ? undefined : memberLimit,
  });
  return inviteLinkJson(chat, link);
};

/** exportChatInviteLink: replaces the primary link and returns it as a string. */
export const exportChatInviteLink: MethodHandler = (p, { world }) => {
  const chat = manageableChat(world, p.chatId());
  return replacePrimary(world, chat);
};

/** revokeChatInviteLink: marks the link revoked (a revoked primary link is replaced). */
export const revokeChatInviteLink: MethodHandler = (p, { world }) => {
  const text = p.string('invite_link');
  const chat = manageableChat(world, p.chatId());
  if (text === '') throw badRequest('Invite link must be non-empty');
  const link = chat.inviteLinks.find((l) => l.link === text);
  if (!link) throw badRequest('INVITE_HASH_EXPIRED');
  if (!link.revoked) {
    link.revoked = true;
    if (link.isPrimary) replacePrimary(world, chat);
  }
  return inviteLinkJson(chat, link);
};

/**
 * approveChatJoinRequest: the applicant joins (chat_member update from the bot, with the link, then a
 * new_chat_members message from the applicant). telegram-bot-api passes the server's errors of
 * messages.hideChatJoinRequest through as `400 Bad Request: <CODE>`; core.telegram.org lists HIDE_REQUESTER_MISSING
 * ("The join request was missing or was already handled") and USER_ALREADY_PARTICIPANT ("The user is already in
 * the group"), both seen by bots (telebot's errors.go). The banned case is undocumented: see `refusals.approveBanned`.
 */
export const approveChatJoinRequest: MethodHandler = (p, { world }) => {
  const userId = p.userId();
  const chat = joinRequestChat(world, p.chatId());
  const user = requireUser(world, userId);
  const request = world.pendingRequest(chat, userId);
  if (!request) throw badRequest('HIDE_REQUESTER_MISSING');
  const state = world.state(chat, userId);
  if (world.refusals.approveParticipant && isInChat(state)) throw badRequest('USER_ALREADY_PARTICIPANT');
  const banned = world.refusals.approveBanned;
  if (state.status === 'kicked' && banned !== 'admit') throw badRequest(banned);
  request.status = 'approved';
  world.join(chat, user, { via: 'request', by: world.botUser, link: request.link });
  return true;
};

/** declineChatJoinRequest: the request is closed; Telegram sends no update. */
export const declineChatJoinRequest: MethodHandler = (p, { world }) => {
  const userId = p.userId();
  const chat = joinRequestChat(world, p.chatId());
  requireUser(world, userId);
  const request = world.pendingRequest(chat, userId);
  if (!request) throw badRequest('HIDE_REQUESTER_MISSING');
  request.status = 'declined';
  return true;
};

function manageableChat(world: World, ref: string): ChatRecord {
  const chat = accessChat(world, ref, 'write');
  if (chat.type === 'private') throw badRequest("Can't invite members to a private chat");
  if (!world.botCan(chat, 'can_invite_users'))
    throw badRequest('Not enough rights to manage chat invite link');
  return chat;
}

function joinRequestChat(world: World, ref: string): ChatRecord {
  const chat = accessChat(world, ref, 'write');
  if (chat.type === 'private') throw badRequest("The chat can't have join requests");
  if (!world.botCan(chat, 'can_invite_users'))
    throw badRequest('Not enough rights to manage chat join requests');
  return chat;
}

function replacePrimary(world: World, chat: ChatRecord): string {
  for (const link of chat.inviteLinks) if (link.isPrimary) link.revoked = true;
  const link = world.addInviteLink(chat, {
    creator: world.botUser,
    createsJoinRequest: false,
    isPrimary: true,
    name: undefined,
    expireDate: undefined,
    memberLimit: undefined,
  });
  return link.link;
}

// TDLib's clean_name: cut to the limit, collapse runs of spaces and newlines, trim.
function cleanName(name: string): string {
  return Array.from(name)
    .slice(0, MAX_LINK_NAME_LENGTH)
    .join('')
    .replace(/[ \n\u00a0]+/gu, ' ')
    .trim();
}
