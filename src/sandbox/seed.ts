import type { User } from 'telegraf/types';
import type { Language } from '../config.js';
import type { FakeBotApi } from './telegram/index.js';

/** What a person is in the sample chat; the page labels people by it. */
export type Role = 'teacher' | 'parent' | 'student' | 'newcomer';

/** Someone the visitor can play. */
export interface Person {
  readonly user: User;
  readonly role: Role;
}

/** The sample class chat after seeding. */
export interface ClassChat {
  readonly chatId: number;
  readonly people: Person[];
}

interface Script {
  readonly botName: string;
  readonly title: string;
  readonly teacher: readonly [first: string, last: string];
  readonly parents: ReadonlyArray<readonly [first: string, last: string]>;
  readonly student: readonly [first: string, last: string];
  readonly rules: readonly string[];
  /** Opening messages: the teacher, the first parent, the student. */
  readonly chatter: readonly [teacher: string, parent: string, student: string];
  /** Names given to newcomers the visitor adds without naming them. */
  readonly newcomers: readonly string[];
}

const SCRIPTS: Record<Language, Script> = {
  ru: {
    botName: 'Модератор 7Б',
    title: '7Б — родители',
    teacher: ['Мария', 'Ивановна'],
    parents: [
      ['Анна', 'Петрова'],
      ['Борис', 'Смирнов'],
    ],
    student: ['Дима', 'Петров'],
    rules: [
      'Общаемся вежливо, обращаемся друг к другу на «вы»',
      'Пишем только о школьных делах',
      'Без рекламы, «цепочек» и открыток',
      'Личные вопросы обсуждаем в личных сообщениях',
    ],
    chatter: [
      'Добрый день! Это чат 7Б для родителей. Родительское собрание — в четверг в 18:00, кабинет 214.',
      'Спасибо, Мария Ивановна, будем!',
      'Здравствуйте! А экскурсия в пятницу в силе?',
    ],
    newcomers: ['Галина Орлова', 'Денис Соколов', 'Елена Морозова', 'Игорь Волков', 'Ольга Лебедева'],
  },
  en: {
    botName: 'Class 7B Moderator',
    title: '7B — parents',
    teacher: ['Mary', 'Johnson'],
    parents: [
      ['Anna', 'Peters'],
      ['Bob', 'Smith'],
    ],
    student: ['Danny', 'Peters'],
    rules: [
      'Be polite and respectful to everyone',
      'School matters only',
      'No advertising, chain messages or greeting cards',
      'Settle private matters in private messages',
    ],
    chatter: [
      'Good afternoon! This is the 7B parents’ chat. The parents’ meeting is on Thursday at 6 pm, room 214.',
      'Thank you, Mrs Johnson, we will be there!',
      'Hello! Is Friday’s trip still on?',
    ],
    newcomers: ['Grace Miller', 'Daniel Brown', 'Helen Moore', 'Ian Walker', 'Olivia Wood'],
  },
};

/** The bot's display name in the emulator for a sandbox language. */
export function botName(language: Language): string {
  return SCRIPTS[language].botName;
}

/** A name for the n-th newcomer (0-based) the visitor did not name. */
export function newcomerName(language: Language, index: number): string {
  const names = SCRIPTS[language].newcomers;
  const name = names[index % names.length] ?? 'Newcomer';
  return index < names.length ? name : `${name} ${Math.floor(index / names.length) + 1}`;
}

/** Splits "First Last" into a Telegram user's first and last name. */
export function userName(full: string): { first_name: string; last_name?: string } {
  const [first = full, ...rest] = full.trim().split(/\s+/u);
  return rest.length > 0 ? { first_name: first, last_name: rest.join(' ') } : { first_name: first };
}

/**
 * Builds the sample class chat in the emulator, before the bot runs: the teacher creates a supergroup,
 * adds two parents and a student, and adds the bot as an administrator with the rights it needs
 * (restrict, delete, invite). The bot finds these updates waiting when it starts polling.
 */
export function buildClassChat(api: FakeBotApi, language: Language): ClassChat {
  const script = SCRIPTS[language];
  const create = ([first_name, last_name]: readonly [string, string]) =>
    api.createUser({ first_name, last_name, language_code: language });
  const teacher = create(script.teacher);
  const parents = script.parents.map(create);
  const student = create(script.student);
  const chat = api.createChat({ type: 'supergroup', title: script.title });
  api.addMember(chat.id, teacher, { status: 'creator' });
  for (const user of [...parents, student]) api.addMember(chat.id, user, { by: teacher });
  api.addBot(chat.id, {
    by: teacher,
    status: 'administrator',
    rights: { can_restrict_members: true, can_delete_messages: true, can_invite_users: true },
  });
  return {
    chatId: chat.id,
    people: [
      { user: teacher, role: 'teacher' },
      ...parents.map((user) => ({ user, role: 'parent' as const })),
      { user: student, role: 'student' },
    ],
  };
}

/**
 * Opens the conversation once the bot runs: the teacher sets short rules and asks for a join-request
 * link, people say a few words, and the teacher starts a private chat with the bot (so reports and
 * apologies reach her there). `settle` waits for the bot's answer after each step, so the answers
 * follow the messages they answer.
 */
export async function openConversation(
  api: FakeBotApi,
  chat: ClassChat,
  language: Language,
  settle: () => Promise<void>,
): Promise<void> {
  const script = SCRIPTS[language];
  const [teacher, firstParent] = chat.people.map((person) => person.user);
  const student = chat.people.find((person) => person.role === 'student')?.user;
  if (!teacher || !firstParent || !student) throw new Error('the sample chat lacks its cast');
  const [fromTeacher, fromParent, fromStudent] = script.chatter;
  const steps: Array<() => unknown> = [
    () => api.sendMessage(chat.chatId, teacher, `/setrules\n${script.rules.join('\n')}`),
    () => api.sendMessage(chat.chatId, teacher, '/invite'),
    () => api.sendMessage(chat.chatId, teacher, fromTeacher),
    () => api.sendMessage(chat.chatId, firstParent, fromParent),
    () => api.sendMessage(chat.chatId, student, fromStudent),
    () => api.privateMessage(teacher, '/start'),
  ];
  await settle();
  for (const step of steps) {
    step();
    await settle();
  }
}
