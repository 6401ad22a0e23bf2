import type ru from '../../locales/ru/translation.json';
import type { Language } from '../config.js';
import type { AccountRecord } from '../db/repos/accounts.js';
import { type AuditEntry, createAuditRepository } from '../db/repos/audit.js';
import type { ChatRecord } from '../db/repos/chats.js';
import type { Translate } from '../i18n/index.js';
import type { ButtonSpec, ChatAddress, MessagePosted } from '../messenger/port.js';
import { displayName } from './format.js';
import type { Services, Work } from './services.js';

export type CommandName = keyof (typeof ru)['commands'];

export interface CommandContext {
  services: Services;
  work: Work;
  event: MessagePosted;
  /** Where the command was posted. */
  address: ChatAddress;
  /** The group chat, for group commands. */
  chat: ChatRecord | undefined;
  /** The sender's account; absent for an anonymous administrator. */
  account: AccountRecord | undefined;
  isModerator: boolean;
  /** Whether the author of the replied message is a moderator (for commands that act on them). */
  replyAuthorIsModerator: boolean;
  language: Language;
  t: Translate;
  /** Answers in the chat, as a reply to the command. */
  reply(text: string, buttons?: ButtonSpec[][]): Promise<void>;
  /**
   * Says why a command was refused. A moderator gets it as a reply; anyone else privately when they have
   * a private chat with the bot (their command is deleted from the group), otherwise as a reply at most
   * once a minute. `quietInGroup` never answers in the group (a throttled /report must not expose its
   * sender).
   */
  refuse(text: string, options?: { quietInGroup?: boolean }): Promise<void>;
  /**
   * Answers privately what lists people or history (runtime/privately.ts): the command is deleted from
   * the group and the group reads one neutral line saying where the answer went. In a private chat it
   * is an ordinary answer.
   */
  answerPrivately(text: string, options?: { quietInGroup?: boolean; fallback?: string }): Promise<void>;
}

export interface CommandSpec {
  name: CommandName;
  /** Who may use it; /help lists only what the caller may use. */
  audience: 'member' | 'moderator';
  where: 'group' | 'private' | 'both';
  /** The command acts on the replied message's author: the dispatcher checks their role first. */
  actsOnReplyAuthor?: boolean;
  run(ctx: GroupContext): Promise<void>;
  runPrivate?(ctx: CommandContext): Promise<void>;
}

/** What a group command's `run` gets: the context with the chat it was posted in. */
export type GroupContext = CommandContext & { chat: ChatRecord };

type ModeratorEntry = Omit<AuditEntry, 'at' | 'chatId' | 'actorKind' | 'actorAccountId' | 'actorName'>;

/** What a moderator did, as the chat's audit entry: when, where and who (the school is the chat's). */
export function moderatorAuditEntry(ctx: GroupContext, entry: ModeratorEntry): AuditEntry {
  return {
    at: ctx.work.now,
    schoolId: ctx.chat.schoolId,
    chatId: ctx.chat.id,
    actorKind: 'moderator',
    actorAccountId: ctx.account?.id ?? null,
    actorName: ctx.account ? displayName(ctx.account) : '',
    ...entry,
  };
}

/** Records what a moderator did in the chat's audit log. */
export async function auditModeratorAction(ctx: GroupContext, entry: ModeratorEntry): Promise<void> {
  await createAuditRepository(ctx.work.tx).append(moderatorAuditEntry(ctx, entry));
}
