import type { Language } from '../config.js';
import type { AccountRecord } from '../db/repos/accounts.js';
import type { ChatRecord } from '../db/repos/chats.js';
import { formatDate, formatDateTime } from '../i18n/index.js';
import { neutralName } from '../lib/text.js';
import type { ChatAddress, Platform } from '../messenger/port.js';
import type { Services } from './services.js';

type Named = Pick<AccountRecord, 'firstName' | 'lastName'>;

/**
 * How the bot names a person in a message: "Анна Петрова", on one line, never a link or a mention
 * (a profile name is chosen by its owner; see {@link neutralName}).
 */
export function displayName(account: Named): string {
  return neutralName([account.firstName, account.lastName].filter(Boolean).join(' ')) || '—';
}

export function chatAddress(chat: ChatRecord): ChatAddress {
  return { platform: chat.platform, platformChatId: chat.platformChatId };
}

/** The bot's private chat with a person (on Telegram and VK its id is the person's id). */
export function privateChatOf(account: { platform: string; platformUserId: string }): ChatAddress {
  return { platform: account.platform as Platform, platformChatId: account.platformUserId };
}

export function when(services: Services, date: Date, language: Language): string {
  return formatDateTime(date, language, services.deps.timeZone);
}

export function day(services: Services, date: Date, language: Language): string {
  return formatDate(date, language, services.deps.timeZone);
}

/** The first characters of a message, kept as evidence and quoted in reports. */
export function excerpt(text: string, length = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= length ? flat : `${flat.slice(0, length - 1)}…`;
}
