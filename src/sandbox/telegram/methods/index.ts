import { deleteMyCommands, getMyCommands, setMyCommands } from './commands.js';
import type { MethodHandler } from './context.js';
import {
  approveChatJoinRequest,
  createChatInviteLink,
  declineChatJoinRequest,
  exportChatInviteLink,
  revokeChatInviteLink,
} from './invites.js';
import {
  banChatMember,
  getChat,
  getChatAdministrators,
  getChatMember,
  getChatMemberCount,
  leaveChat,
  restrictChatMember,
  setChatPermissions,
  unbanChatMember,
} from './members.js';
import {
  answerCallbackQuery,
  deleteMessage,
  deleteMessages,
  editMessageReplyMarkup,
  editMessageText,
  sendChatAction,
  sendDocument,
  sendMessage,
} from './messages.js';
import { deleteWebhook, getMe, getUpdates, getWebhookInfo, setWebhook } from './updates.js';

export { type Access, accessChat, Described, type MethodContext, type MethodHandler } from './context.js';

/** The Bot API 7.1 methods the fake implements, by canonical name. */
export const METHODS: Readonly<Record<string, MethodHandler>> = {
  getMe,
  getUpdates,
  setWebhook,
  deleteWebhook,
  getWebhookInfo,
  sendMessage,
  sendDocument,
  editMessageText,
  editMessageReplyMarkup,
  deleteMessage,
  deleteMessages,
  sendChatAction,
  answerCallbackQuery,
  getChat,
  getChatMember,
  getChatAdministrators,
  getChatMemberCount,
  restrictChatMember,
  banChatMember,
  unbanChatMember,
  setChatPermissions,
  leaveChat,
  createChatInviteLink,
  exportChatInviteLink,
  revokeChatInviteLink,
  approveChatJoinRequest,
  declineChatJoinRequest,
  setMyCommands,
  getMyCommands,
  deleteMyCommands,
};

/** Old names Telegram still accepts. */
const ALIASES: Readonly<Record<string, string>> = {
  kickChatMember: 'banChatMember',
  getChatMembersCount: 'getChatMemberCount',
};

const BY_LOWER_NAME = new Map<string, string>(
  [...Object.keys(METHODS), ...Object.keys(ALIASES)].map((name) => [
    name.toLowerCase(),
    ALIASES[name] ?? name,
  ]),
);

/** Finds a method the way the Bot API does: case-insensitively, old names included. */
export function resolveMethod(
  name: string,
): { readonly name: string; readonly handler: MethodHandler } | undefined {
  const canonical = BY_LOWER_NAME.get(name.toLowerCase());
  const handler = canonical === undefined ? undefined : METHODS[canonical];
  return canonical !== undefined && handler ? { name: canonical, handler } : undefined;
}
