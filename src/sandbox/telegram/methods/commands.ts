import type { BotCommand } from 'telegraf/types';
import { badRequest } from '../errors.js';
import type { ParamReader } from '../params.js';
import type { World } from '../world.js';
import { accessChat, type MethodHandler } from './context.js';

/** setMyCommands: stored per scope and language; an empty list deletes them. */
export const setMyCommands: MethodHandler = (p, { world }) => {
  const commands = readCommands(p);
  const key = commandsKey(world, p);
  if (commands.length === 0) world.commands.delete(key);
  else world.commands.set(key, commands);
  return true;
};

/** getMyCommands: the list of exactly this scope and language (Telegram does not fall back here). */
export const getMyCommands: MethodHandler = (p, { world }) => world.commands.get(commandsKey(world, p)) ?? [];

/** deleteMyCommands. */
export const deleteMyCommands: MethodHandler = (p, { world }) => {
  world.commands.delete(commandsKey(world, p));
  return true;
};

/** The storage key of a scope + language_code pair, e.g. `chat:-100123|ru`. */
export function commandsKey(world: World, p: ParamReader): string {
  const language = p.string('language_code');
  if (language !== '' && !/^[a-z]{2}$/u.test(language)) throw badRequest('Invalid language code specified');
  const scope = p.json('scope', 'BotCommandScope');
  if (scope === undefined) return `default|${language}`;
  const fail = (why: string) => badRequest(`Can't parse BotCommandScope: ${why}`);
  if (typeof scope !== 'object' || scope === null || Array.isArray(scope))
    throw fail('BotCommandScope must be an Object');
  const { type, chat_id: chatId, user_id: userId } = scope as Record<string, unknown>;
  if (typeof type !== 'string') throw fail('Can\'t find field "type"');
  if (['default', 'all_private_chats', 'all_group_chats', 'all_chat_administrators'].includes(type)) {
    return `${type}|${language}`;
  }
  if (!['chat', 'chat_administrators', 'chat_member'].includes(type))
    throw fail('Unsupported type specified');
  if (chatId === undefined || chatId === '') throw fail('Empty chat_id specified');
  const chat = accessChat(world, String(chatId), 'read');
  if (type !== 'chat_member') return `${type}:${chat.id}|${language}`;
  const user = Number(userId);
  if (!Number.isSafeInteger(user) || user <= 0) throw fail('Invalid user_id specified');
  return `${type}:${chat.id}:${user}|${language}`;
}

// TDLib trims, drops a leading slash and checks lengths; the server rejects characters outside [a-z0-9_].
function readCommands(p: ParamReader): BotCommand[] {
  const value = p.json('commands', 'commands');
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw badRequest('Expected an Array of BotCommand');
  if (value.length > 100) throw badRequest('BOT_COMMANDS_TOO_MUCH');
  return value.map((item: unknown) => {
    const fail = (why: string) => badRequest(`Can't parse BotCommand: ${why}`);
    if (typeof item !== 'object' || item === null) throw fail('expected an Object');
    const { command: rawCommand, description: rawDescription } = item as Record<string, unknown>;
    if (typeof rawCommand !== 'string') throw fail('Can\'t find field "command"');
    if (typeof rawDescription !== 'string') throw fail('Can\'t find field "description"');
    const command = rawCommand.trim().replace(/^\//u, '');
    const description = rawDescription.trim();
    if (command === '') throw badRequest('Command must be non-empty');
    if (Array.from(command).length > 32) throw badRequest('Command length must not exceed 32');
    if (description === '') throw badRequest('Command description must be non-empty');
    if (Array.from(description).length > 256)
      throw badRequest('Command description length must not exceed 256');
    if (!/^[a-z0-9_]+$/u.test(command)) throw badRequest('BOT_COMMAND_INVALID');
    return { command, description };
  });
}
