import type { User } from 'telegraf/types';
import { badRequest, forbidden } from '../errors.js';
import { type ChatRecord, isInChat, type MessageRecord } from '../model.js';
import type { ParamReader } from '../params.js';
import type { UpdateQueue } from '../updates.js';
import type { WebhookDispatcher } from '../webhook.js';
import type { World } from '../world.js';

/** What a method handler works with. */
export interface MethodContext {
  readonly world: World;
  readonly updates: UpdateQueue;
  readonly webhook: WebhookDispatcher;
  /** Aborted when the client disconnects or the server stops (ends long polls). */
  readonly signal: AbortSignal;
}

/** A Bot API method: returns the `result`, or throws an ApiError. */
export type MethodHandler = (p: ParamReader, ctx: MethodContext) => unknown;

/** A result with the optional `description` Telegram adds to some successful answers (setWebhook). */
export class Described {
  constructor(
    readonly result: unknown,
    readonly description: string,
  ) {}
}

/** Access a method needs to a chat, as in telegram-bot-api's `check_chat`. */
export type Access = 'read' | 'readMembers' | 'edit' | 'write';

/**
 * Resolves `chat_id` and applies telegram-bot-api's access checks: unknown chats, upgraded groups
 * (`migrate_to_chat_id`), and chats the bot left or was kicked from.
 */
export function accessChat(world: World, ref: string, access: Access): ChatRecord {
  const chat = world.chatByRef(ref);
  // The bot only knows groups it has been in, and public ones.
  const unknown =
    chat === undefined || (chat.type !== 'private' && !chat.members.has(world.botUser.id) && !chat.username);
  if (!chat || unknown) throw badRequest('chat not found');
  const needEdit = access === 'write' || access === 'edit';
  const bot = world.botState(chat);
  switch (chat.type) {
    case 'private':
      return chat;
    case 'group': {
      // Member lists of deactivated groups are inaccessible, so readMembers counts as write there.
      const write = access === 'write' || access === 'readMembers';
      const edit = needEdit || access === 'readMembers';
      if (chat.migratedTo !== undefined && write) {
        throw badRequest('group chat was upgraded to a supergroup chat', {
          migrate_to_chat_id: chat.migratedTo,
        });
      }
      if (bot.status === 'kicked' && edit) throw forbidden('bot was kicked from the group chat');
      if (!isInChat(bot) && edit) throw forbidden('bot is not a member of the group chat');
      return chat;
    }
    case 'supergroup': {
      if (bot.status === 'kicked') throw forbidden('bot was kicked from the supergroup chat');
      const isPublic = chat.username !== undefined;
      if (!isInChat(bot) && (isPublic ? needEdit : true))
        throw forbidden('bot is not a member of the supergroup chat');
      return chat;
    }
  }
}

/** A user the fake knows; `400 user not found` otherwise. */
export function requireUser(world: World, userId: number): User {
  const user = world.user(userId);
  if (!user) throw badRequest('user not found');
  return user;
}

/** A live message, or `400 <what> not found` (`message to edit`, `message to delete`, …). */
export function requireMessage(
  world: World,
  chat: ChatRecord,
  messageId: number,
  what: string,
): MessageRecord {
  const record = messageId > 0 ? world.liveMessage(chat, messageId) : undefined;
  if (!record) throw badRequest(`${what} not found`);
  return record;
}

/**
 * Checks the bot may post into the chat: a private chat needs the user to have started the bot (or a fresh join
 * request) and not blocked it; a group needs send rights.
 */
export function assertBotMaySend(world: World, chat: ChatRecord): void {
  if (chat.type === 'private') {
    const user = chat.privateUser;
    if (!user) throw badRequest('chat not found');
    if (user.is_bot) throw forbidden("bots can't send messages to bots");
    const access = world.privateAccess(user);
    if (access === 'blocked') throw forbidden('bot was blocked by the user');
    if (access === 'not-started') throw forbidden("bot can't initiate conversation with a user");
    return;
  }
  if (!world.canPost(chat, world.botUser.id))
    throw badRequest('not enough rights to send text messages to the chat');
}
