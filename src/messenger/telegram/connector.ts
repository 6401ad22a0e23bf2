import http from 'node:http';
import https from 'node:https';
import { Telegram } from 'telegraf';
import type {
  ChatMember,
  ChatMemberAdministrator,
  ChatMemberOwner,
  ChatPermissions,
  InlineKeyboardButton,
  User,
} from 'telegraf/types';
import type { Logger } from '../../lib/logger.js';
import type {
  AdminInfo,
  ButtonSpec,
  Capabilities,
  ChatAddress,
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
import { RetryAfterGate } from '../shared/retry-after.js';
import { toMessengerError } from './errors.js';
import { toUser } from './updates.js';

export interface TelegramOptions {
  token: string;
  apiRoot: string;
  log: Logger;
  /** Per-call timeout; telegraf's own is over eight minutes. */
  timeoutMs?: number;
  /** Real time, for keeping until_date inside Telegram's window. */
  now?: () => number;
}

const MUTED: ChatPermissions = {
  can_send_messages: false,
  can_send_audios: false,
  can_send_documents: false,
  can_send_photos: false,
  can_send_videos: false,
  can_send_video_notes: false,
  can_send_voice_notes: false,
  can_send_polls: false,
  can_send_other_messages: false,
  can_add_web_page_previews: false,
  can_invite_users: false,
  can_change_info: false,
  can_pin_messages: false,
  can_manage_topics: false,
};

const EVERYTHING_ALLOWED: ChatPermissions = Object.fromEntries(
  Object.keys(MUTED).map((key) => [
    key,
    !['can_change_info', 'can_pin_messages', 'can_manage_topics'].includes(key),
  ]),
) as ChatPermissions;

/** Every permission granted: the member's own restriction is lifted and the chat's permissions apply. */
const LIFTED: ChatPermissions = Object.fromEntries(
  Object.keys(MUTED).map((key) => [key, true]),
) as ChatPermissions;

/** Telegram's limit for a message's text. */
const MAX_TEXT = 4096;

/** Cuts a text to Telegram's limit (a long /log or overview), keeping whole lines where it can. */
function fitText(text: string): string {
  const trimmed = text.trim() || '…';
  if (trimmed.length <= MAX_TEXT) return trimmed;
  const cut = trimmed.slice(0, MAX_TEXT - 1);
  const lastLine = cut.lastIndexOf('\n');
  return `${lastLine > MAX_TEXT / 2 ? cut.slice(0, lastLine) : cut}…`;
}

/** Telegram treats an until_date under 30 s or over 366 days away as "forever". */
const MIN_UNTIL_S = 40;
const MAX_UNTIL_S = 366 * 24 * 3600 - 60;

function chatId(chat: ChatAddress): number {
  return Number(chat.platformChatId);
}

function keyboard(
  buttons: ButtonSpec[][] | undefined,
): { inline_keyboard: InlineKeyboardButton[][] } | undefined {
  if (!buttons || buttons.length === 0) return undefined;
  return {
    inline_keyboard: buttons.map((row) =>
      row.map(
        (button): InlineKeyboardButton =>
          button.url
            ? { text: button.text, url: button.url }
            : { text: button.text, callback_data: button.data ?? '' },
      ),
    ),
  };
}

/**
 * The Telegram side of the messenger port, over telegraf's Bot API client. Every call has a timeout
 * and every failure comes out as a {@link MessengerError}.
 */
export class TelegramMessenger implements Messenger {
  readonly platform = 'telegram' as const;
  readonly capabilities: Capabilities = {
    joinRequests: true,
    timedMute: true,
    timedBan: true,
    messageLinks: true,
    readOnly: 'native',
    rights: 'granular',
    chatPermissions: true,
    revocableLinks: true,
  };
  readonly telegram: Telegram;
  private me: UserInfo | undefined;
  private readonly reachability = new Reachability();
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private readonly retryAfter: RetryAfterGate;

  constructor(options: TelegramOptions) {
    // telegraf's default agent is https-only; a self-hosted Bot API server (or our fake) may be http.
    const agent = options.apiRoot.startsWith('http:')
      ? new http.Agent({ keepAlive: true, maxSockets: 64 })
      : new https.Agent({ keepAlive: true, keepAliveMsecs: 10_000, maxSockets: 64 });
    this.telegram = new Telegram(options.token, { apiRoot: options.apiRoot, webhookReply: false, agent });
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.now = options.now ?? Date.now;
    this.retryAfter = new RetryAfterGate(this.now);
  }

  get self(): UserInfo {
    if (!this.me) throw new Error('TelegramMessenger.init() has not run');
    return this.me;
  }

  /** Reads the bot's own account (getMe); call once before anything else. */
  async init(): Promise<UserInfo> {
    const me = await this.call<User>('getMe', {});
    this.me = toUser(me);
    return this.me;
  }

  /** Whether the Bot API answers: false after a network or server failure, until a call succeeds again. */
  async reachable(): Promise<boolean> {
    return this.reachability.check(() => this.call('getMe', {}, 5000));
  }

  /** One Bot API call with our timeout and our error codes. */
  async call<T = unknown>(
    method: string,
    payload: Record<string, unknown>,
    timeoutMs = this.timeoutMs,
    cancel?: AbortSignal,
  ): Promise<T> {
    const callApi = this.telegram.callApi.bind(this.telegram) as unknown as (
      method: string,
      payload: Record<string, unknown>,
      options: { signal: AbortSignal },
    ) => Promise<T>;
    const chat = payload.chat_id === undefined ? '' : String(payload.chat_id);
    await this.retryAfter.pass(method, chat, cancel);
    try {
      const timeout = AbortSignal.timeout(timeoutMs);
      const result = await callApi(method, payload, {
        signal: cancel ? AbortSignal.any([timeout, cancel]) : timeout,
      });
      this.reachability.succeeded();
      return result;
    } catch (error) {
      const mapped = toMessengerError(error, method);
      this.reachability.failed(mapped);
      if (mapped.code === 'RATE_LIMITED')
        this.retryAfter.refused(method, chat, mapped.details.retryAfterSeconds ?? 0);
      throw mapped;
    }
  }

  async send(chat: ChatAddress, text: string, options: SendOptions = {}): Promise<SentMessage> {
    const payload: Record<string, unknown> = {
      chat_id: chatId(chat),
      text: fitText(text),
      link_preview_options: { is_disabled: true },
    };
    if (options.replyTo) {
      payload.reply_parameters = { message_id: Number(options.replyTo), allow_sending_without_reply: true };
    }
    const markup = keyboard(options.buttons);
    if (markup) payload.reply_markup = markup;
    if (options.silent) payload.disable_notification = true;
    const message = await this.call<{ message_id: number }>('sendMessage', payload);
    return { messageId: String(message.message_id) };
  }

  async sendDocument(
    chat: ChatAddress,
    document: { filename: string; content: string; caption?: string },
  ): Promise<SentMessage> {
    const message = await this.call<{ message_id: number }>('sendDocument', {
      chat_id: chatId(chat),
      document: { source: Buffer.from(document.content, 'utf8'), filename: document.filename },
      ...(document.caption ? { caption: document.caption.slice(0, 1024) } : {}),
    });
    return { messageId: String(message.message_id) };
  }

  async edit(chat: ChatAddress, messageId: string, text: string, buttons?: ButtonSpec[][]): Promise<void> {
    const payload: Record<string, unknown> = {
      chat_id: chatId(chat),
      message_id: Number(messageId),
      text: fitText(text),
      link_preview_options: { is_disabled: true },
    };
    payload.reply_markup = keyboard(buttons) ?? { inline_keyboard: [] };
    await this.call('editMessageText', payload);
  }

  async delete(chat: ChatAddress, messageId: string): Promise<void> {
    await this.call('deleteMessage', { chat_id: chatId(chat), message_id: Number(messageId) });
  }

  private untilDate(until: Date): number {
    const nowS = Math.floor(this.now() / 1000);
    const untilS = Math.floor(until.getTime() / 1000);
    // Outside Telegram's window a timed restriction silently becomes permanent; never send such a date.
    // A term ending within seconds is kept a little longer: the scheduled lift ends it on time anyway.
    if (untilS - nowS > MAX_UNTIL_S)
      throw new MessengerError('BAD_REQUEST', 'until_date more than 366 days away');
    return Math.max(untilS, nowS + MIN_UNTIL_S);
  }

  async mute(chat: ChatAddress, userId: string, until?: Date): Promise<void> {
    const payload: Record<string, unknown> = {
      chat_id: chatId(chat),
      user_id: Number(userId),
      permissions: MUTED,
      use_independent_chat_permissions: true,
    };
    if (until) payload.until_date = this.untilDate(until);
    await this.call('restrictChatMember', payload);
  }

  async readChatPermissions(chat: ChatAddress): Promise<Record<string, boolean>> {
    const info = await this.call<{ permissions?: ChatPermissions }>('getChat', { chat_id: chatId(chat) });
    return { ...(info.permissions ?? EVERYTHING_ALLOWED) } as Record<string, boolean>;
  }

  /** Read-only is every member permission off (MUTED); reopening gives back what was saved. */
  async setChatReadOnly(chat: ChatAddress, readOnly: boolean, saved?: ChatPermissions): Promise<void> {
    await this.call('setChatPermissions', {
      chat_id: chatId(chat),
      permissions: readOnly ? MUTED : (saved ?? EVERYTHING_ALLOWED),
      use_independent_chat_permissions: true,
    });
  }

  async unmute(chat: ChatAddress, userId: string): Promise<void> {
    // Every permission true lifts the member's own restriction (the Bot API's documented way): they follow
    // the chat's permissions again, whatever those are now (quiet hours included). One call, nothing read
    // first: a lift that needs two calls to succeed fails twice as often under a flaky API, and a copy of
    // the chat's defaults could be stale. Sending only can_send_messages would leave media and the rest off.
    await this.call('restrictChatMember', {
      chat_id: chatId(chat),
      user_id: Number(userId),
      permissions: LIFTED,
      use_independent_chat_permissions: true,
    });
  }

  async ban(chat: ChatAddress, userId: string, until?: Date): Promise<void> {
    const payload: Record<string, unknown> = { chat_id: chatId(chat), user_id: Number(userId) };
    if (until) payload.until_date = this.untilDate(until);
    await this.call('banChatMember', payload);
  }

  async unban(chat: ChatAddress, userId: string): Promise<void> {
    // Without only_if_banned Telegram removes a current member: never call it that way.
    await this.call('unbanChatMember', {
      chat_id: chatId(chat),
      user_id: Number(userId),
      only_if_banned: true,
    });
  }

  async createJoinRequestLink(chat: ChatAddress, name: string, expiresAt?: Date): Promise<InviteLink> {
    const payload: Record<string, unknown> = {
      chat_id: chatId(chat),
      name: [...name].slice(0, 32).join(''),
      creates_join_request: true,
    };
    if (expiresAt) payload.expire_date = Math.floor(expiresAt.getTime() / 1000);
    const link = await this.call<{ invite_link: string; name?: string }>('createChatInviteLink', payload);
    return link.name ? { url: link.invite_link, name: link.name } : { url: link.invite_link };
  }

  async revokeLink(chat: ChatAddress, url: string): Promise<void> {
    await this.call('revokeChatInviteLink', { chat_id: chatId(chat), invite_link: url });
  }

  async approve(chat: ChatAddress, userId: string): Promise<void> {
    await this.call('approveChatJoinRequest', { chat_id: chatId(chat), user_id: Number(userId) });
  }

  async decline(chat: ChatAddress, userId: string): Promise<void> {
    await this.call('declineChatJoinRequest', { chat_id: chatId(chat), user_id: Number(userId) });
  }

  async listAdmins(chat: ChatAddress): Promise<AdminInfo[]> {
    const admins = await this.call<Array<ChatMemberAdministrator | ChatMemberOwner>>(
      'getChatAdministrators',
      {
        chat_id: chatId(chat),
      },
    );
    return admins.map((admin) => ({
      user: toUser(admin.user),
      status: admin.status,
      isAnonymous: admin.is_anonymous,
      canRestrictMembers: admin.status === 'creator' || admin.can_restrict_members,
      canDeleteMessages: admin.status === 'creator' || admin.can_delete_messages,
      canInviteUsers: admin.status === 'creator' || admin.can_invite_users,
    }));
  }

  async memberStatus(chat: ChatAddress, userId: string): Promise<MemberStatus> {
    try {
      const member = await this.call<ChatMember>('getChatMember', {
        chat_id: chatId(chat),
        user_id: Number(userId),
      });
      return member.status;
    } catch (error) {
      if (error instanceof MessengerError && error.code === 'USER_NOT_FOUND') return 'left';
      throw error;
    }
  }

  async answerButton(pressId: string, text?: string, alert?: boolean): Promise<void> {
    const payload: Record<string, unknown> = { callback_query_id: pressId };
    if (text) payload.text = text;
    if (alert) payload.show_alert = true;
    await this.call('answerCallbackQuery', payload);
  }

  async setCommandMenus(menus: {
    language?: string;
    members: CommandMenuEntry[];
    moderators: CommandMenuEntry[];
    privateChats: CommandMenuEntry[];
  }): Promise<void> {
    const language = menus.language ? { language_code: menus.language } : {};
    const scopes: Array<[string, CommandMenuEntry[]]> = [
      ['all_group_chats', menus.members],
      ['all_chat_administrators', menus.moderators],
      ['all_private_chats', menus.privateChats],
    ];
    for (const [type, commands] of scopes) {
      await this.call('setMyCommands', { commands, scope: { type }, ...language });
    }
  }

  isPrivateChat(chat: ChatAddress): boolean {
    // Telegram: people have positive ids, groups negative ones.
    return !chat.platformChatId.startsWith('-');
  }

  /** `t.me/<bot>?start=<payload>`: Telegram opens the private chat and sends `/start <payload>`. */
  startLink(payload: string): string {
    return `https://t.me/${this.self.username ?? ''}?start=${payload}`;
  }

  messageLink(chat: ChatAddress, messageId: string): string | undefined {
    // Supergroup ids are -100<internal id>; t.me/c/<internal id>/<message> opens the message for members.
    if (!chat.platformChatId.startsWith('-100')) return undefined;
    return `https://t.me/c/${chat.platformChatId.slice(4)}/${messageId}`;
  }
}
