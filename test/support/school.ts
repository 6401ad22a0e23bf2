import type { User } from 'telegraf/types';
import type { Harness } from './harness.js';

export interface ClassChat {
  chatId: number;
  teacher: User;
  parents: User[];
}

/**
 * A supergroup with a teacher (its creator) and parents, the bot added as an administrator with the
 * rights it needs, and short rules set by the teacher.
 */
export async function classChat(
  h: Harness,
  options: {
    title?: string;
    parents?: string[];
    rules?: string[];
    settings?: Record<string, string>;
    /** The chat's default member permissions (all allowed unless given). */
    permissions?: Record<string, boolean>;
  } = {},
): Promise<ClassChat> {
  const teacher = h.api.createUser({ first_name: 'Мария', last_name: 'Ивановна' });
  const chat = h.api.createChat({
    type: 'supergroup',
    title: options.title ?? '7Б',
    ...(options.permissions ? { permissions: options.permissions } : {}),
  });
  h.api.addMember(chat.id, teacher, { status: 'creator' });
  const parents = (options.parents ?? ['Анна Петрова', 'Борис Смирнов', 'Вера Козлова']).map((full) => {
    const [first_name = full, last_name] = full.split(' ');
    const user = h.api.createUser(last_name ? { first_name, last_name } : { first_name });
    h.api.addMember(chat.id, user, { by: teacher });
    return user;
  });
  h.api.addBot(chat.id, {
    by: teacher,
    status: 'administrator',
    rights: { can_restrict_members: true, can_delete_messages: true, can_invite_users: true },
  });
  const rules = options.rules ?? [
    'Общаемся вежливо',
    'Без рекламы',
    'Только школьные вопросы',
    'Не публикуем чужие фото',
  ];
  h.api.sendMessage(chat.id, teacher, `/setrules\n${rules.join('\n')}`);
  for (const [key, value] of Object.entries(options.settings ?? {})) {
    h.api.sendMessage(chat.id, teacher, `/settings ${key} ${value}`);
  }
  await h.settle();
  return { chatId: chat.id, teacher, parents };
}

/** The texts of the bot's messages in a chat, oldest first. */
export function botTexts(h: Harness, chatId: number): string[] {
  return h.api.botMessages(chatId).map((message) => message.text ?? '');
}

export function lastBotText(h: Harness, chatId: number): string {
  return botTexts(h, chatId).at(-1) ?? '';
}

/** Opens a person's private chat with the bot: where moderators' lists, logs and settings are sent. */
export async function openPrivateChat(h: Harness, user: User): Promise<void> {
  h.api.privateMessage(user, '/start');
  await h.settle();
}

/** The text of the bot's latest private message to a person. */
export function lastPrivateText(h: Harness, user: User): string {
  return h.api.lastBotMessage(user.id)?.text ?? '';
}

/** The group's line when a moderator's answer went privately. */
export const SENT_PRIVATELY = (command: string) => `Ответ на /${command} отправлен в личные сообщения.`;
