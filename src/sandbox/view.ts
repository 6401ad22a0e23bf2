import type { InlineKeyboardButton, User } from 'telegraf/types';
import type { Language } from '../config.js';
import type { Clock } from '../lib/clock.js';
import type { Person, Role } from './seed.js';
import { type FakeBotApi, type MemberView, type RecordedMessage, ScenarioError } from './telegram/index.js';

/**
 * What the sandbox page shows, built from the emulator's read side: people with their standing in the
 * class chat, the chat as Telegram shows it, and each person's private chat with the bot. The page
 * polls it; `version` changes only when something visible changed.
 */
export interface SandboxState {
  /** Counts starts of the sandbox: a new value means a reset (the page forgets its selection). */
  readonly session: number;
  readonly version: number;
  readonly language: Language;
  /** Sandbox time, milliseconds since the epoch. */
  readonly now: number;
  /** Zone for times shown on the page (the bot's TIMEZONE). */
  readonly timeZone: string;
  readonly chat: { readonly title: string; readonly memberCount: number };
  readonly bot: Author;
  readonly people: PersonView[];
  readonly group: TimelineItem[];
  /** Private chat with the bot, by person id. */
  readonly private: Record<string, TimelineItem[]>;
}

/** The state without the fields that change by themselves (time) or are assigned by the caller. */
export type StateBody = Omit<SandboxState, 'session' | 'version' | 'now'>;

/**
 * A person's standing in the class chat. `readonly`: in the chat but Telegram refuses their messages;
 * `applicant`: asked to join and waits for approval; `banned`: removed and may not come back yet.
 */
export type Standing = 'admin' | 'member' | 'readonly' | 'left' | 'applicant' | 'banned';

export interface PersonView {
  readonly id: number;
  readonly name: string;
  readonly role: Role;
  readonly standing: Standing;
  /** Unix seconds a read-only spell or ban ends; 0 = until someone lifts it. */
  readonly until?: number;
}

export interface Author {
  readonly id: number;
  readonly name: string;
  readonly bot: boolean;
}

/** An inline button: a callback button carries `data`, a link button `url`. */
export interface ButtonView {
  readonly text: string;
  readonly data?: string;
  readonly url?: string;
}

/** A formatting span of a message text (UTF-16 offsets, as in the Bot API). */
export interface EntityView {
  readonly type: string;
  readonly offset: number;
  readonly length: number;
  readonly url?: string;
}

/** One line of a chat: a message, or a service line Telegram (or the sandbox) shows between them. */
export type TimelineItem =
  | {
      readonly kind: 'message';
      readonly key: string;
      readonly id: number;
      readonly date: number;
      readonly author: Author;
      readonly text: string;
      readonly entities: EntityView[];
      readonly replyTo?: { readonly id: number; readonly author: string; readonly text: string };
      readonly buttons?: ButtonView[][];
      readonly edited: boolean;
    }
  | { readonly kind: 'created'; readonly key: string; readonly date: number; readonly actor: Author }
  | {
      readonly kind: 'joined';
      readonly key: string;
      readonly date: number;
      readonly actor: Author;
      readonly members: Author[];
    }
  | {
      readonly kind: 'left';
      readonly key: string;
      readonly date: number;
      readonly actor: Author;
      readonly member: Author;
    }
  | {
      readonly kind: 'readonly';
      readonly key: string;
      readonly date: number;
      readonly member: Author;
      /** Unix seconds; 0 = until someone lifts it. */
      readonly until: number;
    }
  | { readonly kind: 'writable'; readonly key: string; readonly date: number; readonly member: Author };

type StandingEvent = Extract<TimelineItem, { kind: 'readonly' | 'writable' }>;

function fullName(user: User): string {
  return user.last_name ? `${user.first_name} ${user.last_name}` : user.first_name;
}

function author(user: User): Author {
  return { id: user.id, name: fullName(user), bot: user.is_bot };
}

/** In the chat and allowed to write, in the chat but read-only, or not in the chat (undefined). */
function writable(member: MemberView): boolean | undefined {
  if (!member.is_member) return undefined;
  return member.status !== 'restricted' || member.permissions?.can_send_messages === true;
}

/**
 * Telegram shows no line when a member is restricted or freed, but the bot's whole point is visible
 * there: this log notices each change of a member's ability to write (the bot restricting a newcomer
 * or a blocked member, a timed restriction running out, the bot lifting it) and places a line after
 * the last message of the moment.
 */
export class StandingLog {
  private readonly canWrite = new Map<number, boolean>();
  private readonly events: Array<{ readonly after: number; readonly event: StandingEvent }> = [];

  constructor(
    private readonly api: FakeBotApi,
    private readonly chatId: number,
    private readonly clock: Clock,
  ) {}

  /** Compares everyone's standing with the last look and records what changed. */
  observe(people: readonly Person[]): void {
    let lastMessageId: number | undefined;
    for (const { user } of people) {
      const member = this.api.member(this.chatId, user);
      const now = writable(member);
      const before = this.canWrite.get(user.id);
      if (now === undefined) {
        this.canWrite.delete(user.id);
        continue;
      }
      this.canWrite.set(user.id, now);
      // Someone who joins able to write needs no line; the join itself is shown.
      if (now === before || (before === undefined && now)) continue;
      lastMessageId ??= this.api.messages(this.chatId).at(-1)?.message_id ?? 0;
      const key = `s${this.events.length + 1}`;
      const date = Math.floor(this.clock.now().getTime() / 1000);
      const event: StandingEvent = now
        ? { kind: 'writable', key, date, member: author(user) }
        : { kind: 'readonly', key, date, member: author(user), until: member.until_date ?? 0 };
      this.events.push({ after: lastMessageId, event });
    }
  }

  /** The chat's lines (`ids`: the message id of each) with the standing lines merged in where they fell. */
  merge(items: readonly TimelineItem[], ids: readonly number[]): TimelineItem[] {
    const merged: TimelineItem[] = [];
    let next = 0;
    const takeBefore = (id: number) => {
      for (let entry = this.events[next]; entry && entry.after < id; entry = this.events[next]) {
        merged.push(entry.event);
        next += 1;
      }
    };
    items.forEach((item, index) => {
      takeBefore(ids[index] ?? 0);
      merged.push(item);
    });
    takeBefore(Number.POSITIVE_INFINITY);
    return merged;
  }
}

function buttons(message: RecordedMessage): ButtonView[][] | undefined {
  const keyboard = message.reply_markup?.inline_keyboard;
  if (!keyboard || keyboard.length === 0) return undefined;
  return keyboard.map((row) =>
    row.map((button: InlineKeyboardButton) => {
      if ('callback_data' in button) return { text: button.text, data: button.callback_data };
      if ('url' in button) return { text: button.text, url: button.url };
      return { text: button.text };
    }),
  );
}

function excerpt(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 90 || text.includes('\n') ? `${line.slice(0, 90).trimEnd()}…` : line;
}

/** One stored message as a timeline item; undefined for kinds the page does not show. */
function item(
  message: RecordedMessage,
  byId: ReadonlyMap<number, RecordedMessage>,
): TimelineItem | undefined {
  const key = `m${message.message_id}`;
  const raw = message.raw;
  if ('new_chat_members' in raw) {
    const [first] = raw.new_chat_members;
    // The emulator records its creator joining as the chat's first message; Telegram words it so.
    if (message.message_id === 1 && raw.new_chat_members.length === 1 && first?.id === message.from.id) {
      return { kind: 'created', key, date: message.date, actor: author(message.from) };
    }
    return {
      kind: 'joined',
      key,
      date: message.date,
      actor: author(message.from),
      members: raw.new_chat_members.map(author),
    };
  }
  if ('left_chat_member' in raw) {
    return {
      kind: 'left',
      key,
      date: message.date,
      actor: author(message.from),
      member: author(raw.left_chat_member),
    };
  }
  if (message.service !== undefined || message.text === undefined) return undefined;
  const sender = message.sender_chat;
  const from: Author =
    sender && 'title' in sender ? { id: sender.id, name: sender.title, bot: false } : author(message.from);
  const replied =
    message.reply_to_message_id === undefined ? undefined : byId.get(message.reply_to_message_id);
  const keyboard = buttons(message);
  return {
    kind: 'message',
    key,
    id: message.message_id,
    date: message.date,
    author: from,
    text: message.text,
    entities: (message.entities ?? []).map((entity) => ({
      type: entity.type,
      offset: entity.offset,
      length: entity.length,
      ...('url' in entity && { url: entity.url }),
    })),
    ...(replied &&
      !replied.deleted && {
        replyTo: {
          id: replied.message_id,
          author: fullName(replied.from),
          text: excerpt(replied.text ?? ''),
        },
      }),
    ...(keyboard && { buttons: keyboard }),
    edited: message.edit_date !== undefined,
  };
}

/** A chat's visible lines with the message id each one carries (0 for none). */
function timeline(messages: readonly RecordedMessage[]): { items: TimelineItem[]; ids: number[] } {
  const byId = new Map(messages.map((message) => [message.message_id, message]));
  const items: TimelineItem[] = [];
  const ids: number[] = [];
  for (const message of messages) {
    if (message.deleted) continue;
    const line = item(message, byId);
    if (!line) continue;
    items.push(line);
    ids.push(message.message_id);
  }
  return { items, ids };
}

function standing(api: FakeBotApi, chatId: number, user: User): Pick<PersonView, 'standing' | 'until'> {
  const member = api.member(chatId, user);
  if (member.status === 'creator' || member.status === 'administrator') return { standing: 'admin' };
  if (member.status === 'kicked') return { standing: 'banned', until: member.until_date ?? 0 };
  const canWrite = writable(member);
  if (canWrite === true) return { standing: 'member' };
  if (canWrite === false) return { standing: 'readonly', until: member.until_date ?? 0 };
  const applying = api
    .joinRequests(chatId)
    .some((request) => request.user.id === user.id && request.status === 'pending');
  return { standing: applying ? 'applicant' : 'left' };
}

/** The private chat between `user` and the bot, oldest first; empty until one of them writes. */
function privateMessages(api: FakeBotApi, user: User): RecordedMessage[] {
  try {
    return api.messages(user.id);
  } catch (error) {
    // The emulator creates a private chat on its first message.
    if (error instanceof ScenarioError) return [];
    throw error;
  }
}

/**
 * Everything the page shows, read from the emulator now. Standing changes are noted first, so the
 * read-only and writable lines are as current as the messages.
 */
export function describeSandbox(input: {
  readonly api: FakeBotApi;
  readonly chatId: number;
  readonly people: readonly Person[];
  readonly standings: StandingLog;
  readonly language: Language;
  readonly timeZone: string;
}): StateBody {
  const { api, chatId, people, standings } = input;
  standings.observe(people);
  const chat = api.chat(chatId);
  const group = timeline(api.messages(chatId));
  const privateChats: Record<string, TimelineItem[]> = {};
  for (const { user } of people) privateChats[user.id] = timeline(privateMessages(api, user)).items;
  return {
    language: input.language,
    timeZone: input.timeZone,
    chat: { title: chat.title ?? '', memberCount: chat.member_count },
    bot: author(api.bot),
    people: people.map(({ user, role }) => ({
      id: user.id,
      name: fullName(user),
      role,
      ...standing(api, chatId, user),
    })),
    group: standings.merge(group.items, group.ids),
    private: privateChats,
  };
}
