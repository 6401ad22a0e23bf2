import type { Bot } from '@maxhub/max-bot-api';
import type { Logger } from '../../lib/logger.js';
import type { ReadOnlyLookup } from '../connector.js';
import type {
  AdminInfo,
  ButtonSpec,
  Capabilities,
  ChatAddress,
  ChatPermissions,
  CommandMenuEntry,
  InviteLink,
  MemberStatus,
  Messenger,
  SendOptions,
  SentMessage,
  UserInfo,
} from '../port.js';
import { MessengerError } from '../port.js';
import { Reachability } from '../shared/reachability.js';
import { createBot, DEFAULT_API_ROOT, keyboard, type WireMember } from './api.js';
import { type NotFoundMeaning, toMessengerError } from './errors.js';
import { isGroupChatId, rightsFrom, START_MESSAGE_PREFIX, userFrom } from './updates.js';

export interface MaxOptions {
  token: string;
  /** The API's base URL; default `https://platform-api2.max.ru/`. */
  apiRoot?: string;
  log: Logger;
  /** Per-call timeout (the client has none). */
  timeoutMs?: number;
  now?: () => number;
}

/** A button press's toast: MAX shows a one-time notification. */
const NOTIFICATION_MAX = 200;

/**
 * The MAX side of the messenger port through `@maxhub/max-bot-api`. Group chats are their (negative)
 * chat_id strings; a private chat is addressed by the person's user_id (sent with `user_id=`). Message ids
 * are MAX's `mid`. What MAX lacks is emulated: read-only (the update source asks the core's records who is
 * read-only for each message, and the core deletes such messages through the outbox), a timed ban
 * (removal with `block=true`, lifted by adding the person back).
 */
export class MaxMessenger implements Messenger {
  readonly platform = 'max' as const;
  readonly capabilities: Capabilities = {
    // No join requests: newcomers are greeted in the chat with the rules and the accept button.
    joinRequests: false,
    // The emulated read-only ends when the core unmutes (its own scheduled lift) or at `until`.
    timedMute: true,
    // Removal with block=true has no term and there is no unban: the core lifts it by adding back.
    timedBan: false,
    messageLinks: false,
    readOnly: 'emulated',
    rights: 'permissions',
    // A MAX chat has no default member permissions a bot can set: quiet hours fall back to a private
    // reminder, and announce_only is refused with why.
    chatPermissions: false,
    revocableLinks: false,
  };
  readonly bot: Bot;
  /** Who is read-only now, from the core's records (set at start); nobody until then. */
  readOnly: ReadOnlyLookup = async () => undefined;
  private me: UserInfo | undefined;
  private readonly reachability = new Reachability();
  private readonly titles = new Map<number, { title: string; link: string | null }>();
  private readonly asking = new Map<number, Promise<{ title: string; link: string | null }>>();

  constructor(private readonly options: MaxOptions) {
    this.bot = createBot(options.token, options.apiRoot ?? DEFAULT_API_ROOT, options.timeoutMs ?? 15_000);
  }

  get self(): UserInfo {
    if (!this.me) throw new Error('MaxMessenger.init() has not run');
    return this.me;
  }

  get botId(): number {
    return Number(this.self.userId);
  }

  /** Asks who the bot is (`GET /me`); call once before anything else. */
  async init(): Promise<UserInfo> {
    const info = await this.call('GET /me', () => this.bot.api.getMyInfo());
    this.me = { ...userFrom(info as WireMember), isBot: true };
    return this.me;
  }

  reachable(): Promise<boolean> {
    return this.reachability.check(() => this.call('GET /me', () => this.bot.api.getMyInfo()));
  }

  /** One API call, with our error codes and the reachability it shows. */
  async call<T>(method: string, fn: () => Promise<T>, notFound?: NotFoundMeaning): Promise<T> {
    try {
      const result = await fn();
      this.reachability.succeeded();
      return result;
    } catch (error) {
      const mapped = toMessengerError(error, method, notFound);
      this.reachability.failed(mapped);
      throw mapped;
    }
  }

  private target(chat: ChatAddress): { chat_id: number } | { user_id: number } {
    const id = Number(chat.platformChatId);
    if (!Number.isSafeInteger(id))
      throw new MessengerError('BAD_REQUEST', `not a MAX chat: ${chat.platformChatId}`);
    return isGroupChatId(chat.platformChatId) ? { chat_id: id } : { user_id: id };
  }

  private groupId(chat: ChatAddress): number {
    if (!isGroupChatId(chat.platformChatId)) {
      throw new MessengerError('BAD_REQUEST', `${chat.platformChatId} is not a MAX group chat`);
    }
    return Number(chat.platformChatId);
  }

  async send(chat: ChatAddress, text: string, options: SendOptions = {}): Promise<SentMessage> {
    const body: Record<string, unknown> = { text, ...this.target(chat) };
    const attachments = keyboard(options.buttons);
    if (attachments.length > 0) body.attachments = attachments;
    // A start from a link is no message to reply to (its id is ours, see updates.ts).
    const replyTo = options.replyTo?.startsWith(START_MESSAGE_PREFIX) ? undefined : options.replyTo;
    if (replyTo) body.link = { type: 'reply', mid: replyTo };
    if (options.silent) body.notify = false;
    const post = () =>
      this.call(
        'POST /messages',
        () => this.bot.api.raw.messages.send(body as never),
        isGroupChatId(chat.platformChatId) ? 'CHAT_NOT_FOUND' : 'USER_NOT_FOUND',
      );
    let answer: unknown;
    try {
      answer = await post();
    } catch (error) {
      // MAX refuses a reply to a message deleted meanwhile (404): the text goes out without the reply.
      if (!replyTo || !(error instanceof MessengerError) || error.retryable || error.code === 'UNAUTHORIZED')
        throw error;
      if (error.code === 'CANNOT_MESSAGE_USER' || error.code === 'BOT_NOT_IN_CHAT') throw error;
      delete body.link;
      answer = await post();
    }
    const mid = (answer as { message?: { body?: { mid?: unknown } } }).message?.body?.mid;
    if (typeof mid !== 'string')
      throw new MessengerError('BAD_REQUEST', 'POST /messages: no mid in the answer');
    return { messageId: mid };
  }

  async edit(_chat: ChatAddress, messageId: string, text: string, buttons?: ButtonSpec[][]): Promise<void> {
    // An empty attachments list removes the buttons, as editing without buttons does on Telegram.
    await this.call(
      'PUT /messages',
      () => this.bot.api.editMessage(messageId, { text, attachments: keyboard(buttons) } as never),
      'MESSAGE_GONE',
    );
  }

  async delete(_chat: ChatAddress, messageId: string): Promise<void> {
    if (messageId.startsWith(START_MESSAGE_PREFIX)) return;
    await this.call('DELETE /messages', () => this.bot.api.deleteMessage(messageId), 'MESSAGE_GONE');
  }

  /**
   * Read-only, emulated: the block or gate entry the core recorded makes the update source report the
   * person's new messages for deletion; nothing to do on MAX but refuse an administrator (as Telegram does).
   */
  async mute(chat: ChatAddress, userId: string, _until?: Date): Promise<void> {
    this.groupId(chat);
    const admins = await this.listAdmins(chat).catch(() => []);
    if (admins.some((admin) => admin.user.userId === userId)) {
      throw new MessengerError('USER_IS_ADMIN', `${userId} is an administrator of ${chat.platformChatId}`);
    }
  }

  /** The end of the block or gate entry in the records ends the emulated read-only. */
  async unmute(_chat: ChatAddress, _userId: string): Promise<void> {}

  /**
   * Removal with `block=true` (the client's own removeChatMember drops `block`). MAX honours the block
   * only in chats with a link; elsewhere the core removes a returning member again. Someone not in the chat
   * is where a ban puts them already. `until` cannot be given to MAX: the core lifts the ban itself.
   */
  async ban(chat: ChatAddress, userId: string, _until?: Date): Promise<void> {
    const chatId = this.groupId(chat);
    try {
      await this.call(
        'DELETE /chats/{chatId}/members',
        () =>
          this.bot.api.raw.chats.removeChatMember({ chat_id: chatId, user_id: Number(userId), block: true }),
        'USER_NOT_FOUND',
      );
    } catch (error) {
      if (error instanceof MessengerError && error.code === 'USER_NOT_FOUND') return;
      throw error;
    }
  }

  /**
   * MAX has no unban: the person is added back (`POST /chats/{id}/members`), which lifts the block. When
   * MAX refuses (privacy settings, adding restricted), nothing more happens here: the core sends the
   * chat's link with its announcement.
   */
  async unban(chat: ChatAddress, userId: string): Promise<void> {
    const chatId = this.groupId(chat);
    const answer = await this.call('POST /chats/{chatId}/members', () =>
      this.bot.api.addChatMembers(chatId, [Number(userId)]),
    );
    const result = answer as { success?: boolean; failed_user_ids?: number[]; message?: string };
    if (result.success === false) {
      this.options.log.info(
        { chatId, userId, failed: result.failed_user_ids, details: result.message },
        'MAX would not add a member back after their block; they get the chat link instead',
      );
    }
  }

  /** The chat's own link (MAX has one per chat, if any); name and expiry cannot be set. */
  async createJoinRequestLink(chat: ChatAddress, _name: string, _expiresAt?: Date): Promise<InviteLink> {
    const info = await this.chatInfo(this.groupId(chat), true);
    if (!info.link) throw new MessengerError('NOT_ENOUGH_RIGHTS', `chat ${chat.platformChatId} has no link`);
    return { url: info.link };
  }

  /** A bot cannot change a MAX chat's link: nothing to revoke. */
  async revokeLink(_chat: ChatAddress, _url: string): Promise<void> {}

  async approve(_chat: ChatAddress, _userId: string): Promise<void> {
    throw new MessengerError('BAD_REQUEST', 'MAX has no join requests');
  }

  async decline(_chat: ChatAddress, _userId: string): Promise<void> {
    throw new MessengerError('BAD_REQUEST', 'MAX has no join requests');
  }

  // No default permissions in MAX chats (capabilities.chatPermissions is false): the core never asks.
  async readChatPermissions(_chat: ChatAddress): Promise<ChatPermissions> {
    throw new MessengerError('BAD_REQUEST', 'no chat permissions in MAX');
  }

  async setChatReadOnly(_chat: ChatAddress, _readOnly: boolean, _saved?: ChatPermissions): Promise<void> {
    throw new MessengerError('BAD_REQUEST', 'no chat permissions in MAX');
  }

  async listAdmins(chat: ChatAddress): Promise<AdminInfo[]> {
    const chatId = this.groupId(chat);
    const answer = await this.call('GET /chats/{chatId}/members/admins', () =>
      this.bot.api.getChatAdmins(chatId),
    );
    const members = ((answer as { members?: WireMember[] }).members ?? []) as WireMember[];
    return members.map((member) => {
      const rights = rightsFrom(
        member.permissions ?? (member.is_owner ? ['add_remove_members', 'delete', 'read_all_messages'] : []),
      );
      return {
        user: userFrom(member),
        status: member.is_owner ? 'creator' : 'administrator',
        isAnonymous: false,
        canRestrictMembers: member.is_owner === true || rights.canRestrictMembers,
        canDeleteMessages: member.is_owner === true || rights.canDeleteMessages,
        canInviteUsers: member.is_owner === true || rights.canInviteUsers,
      };
    });
  }

  async memberStatus(chat: ChatAddress, userId: string): Promise<MemberStatus> {
    const chatId = this.groupId(chat);
    const answer = await this.call('GET /chats/{chatId}/members', () =>
      this.bot.api.getChatMembers(chatId, { user_ids: [Number(userId)] }),
    );
    const member = ((answer as { members?: WireMember[] }).members ?? []).find(
      (candidate) => String(candidate.user_id) === userId,
    );
    if (!member) return 'left';
    if (member.is_owner) return 'creator';
    if (member.is_admin) return 'administrator';
    return (await this.readOnly(chat.platformChatId, userId)) ? 'restricted' : 'member';
  }

  /** The bot's own permissions in a chat, or null when it is not an administrator there. */
  async botPermissions(chatId: number): Promise<string[] | null> {
    const member = (await this.call('GET /chats/{chatId}/members/me', () =>
      this.bot.api.getChatMembership(chatId),
    )) as WireMember;
    return member.is_admin ? (member.permissions ?? []) : null;
  }

  /** A chat's title and link, cached; `fresh` asks again. Asks at once for a chat are one call. */
  async chatInfo(chatId: number, fresh = false): Promise<{ title: string; link: string | null }> {
    const known = this.titles.get(chatId);
    if (known && !fresh) return known;
    const asking = this.asking.get(chatId);
    if (asking) return asking;
    const ask = this.call('GET /chats/{chatId}', () => this.bot.api.getChat(chatId))
      .then((chat) => {
        const { title, link } = chat as { title?: string | null; link?: string | null };
        const info = { title: title ?? `chat ${chatId}`, link: link ?? null };
        this.titles.set(chatId, info);
        return info;
      })
      .finally(() => this.asking.delete(chatId));
    this.asking.set(chatId, ask);
    return ask;
  }

  /** The title a `chat_title_changed` update carries. */
  noteTitle(chatId: number, title: string): void {
    const known = this.titles.get(chatId);
    this.titles.set(chatId, { title, link: known?.link ?? null });
  }

  cachedTitle(chatId: number): string | undefined {
    return this.titles.get(chatId)?.title;
  }

  /** Answers a press with a one-time notification (`POST /answers`); MAX needs some text to answer with. */
  async answerButton(pressId: string, text?: string, _alert?: boolean): Promise<void> {
    if (!text) return;
    await this.call(
      'POST /answers',
      // The schema's `notification`; the client's typings know only `message`.
      () =>
        this.bot.api.answerOnCallback(pressId, {
          notification: [...text].slice(0, NOTIFICATION_MAX).join(''),
        } as never),
      'CALLBACK_EXPIRED',
    );
  }

  /** MAX bots have one command list (`PATCH /me/commands`): the private chats' one. */
  async setCommandMenus(menus: {
    language?: string;
    members: CommandMenuEntry[];
    moderators: CommandMenuEntry[];
    privateChats: CommandMenuEntry[];
  }): Promise<void> {
    if (menus.language && menus.language !== 'ru') return;
    const commands = [...menus.members, ...menus.moderators, ...menus.privateChats].filter(
      (entry, index, all) => all.findIndex((other) => other.command === entry.command) === index,
    );
    await this.call('PATCH /me/commands', () =>
      this.bot.api.setMyCommands(
        commands.map((entry) => ({ name: entry.command, description: entry.description })),
      ),
    );
  }

  isPrivateChat(chat: ChatAddress): boolean {
    return !isGroupChatId(chat.platformChatId);
  }

  /** `https://max.ru/<bot>?start=<payload>` (payload up to 128 characters; ours are at most 64). */
  startLink(payload: string): string {
    return `https://max.ru/${this.self.username ?? `id${this.self.userId}`}?start=${encodeURIComponent(payload)}`;
  }

  messageLink(_chat: ChatAddress, _messageId: string): string | undefined {
    return undefined;
  }
}
