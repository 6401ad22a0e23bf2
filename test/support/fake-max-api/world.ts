import { randomBytes } from 'node:crypto';
import { ScenarioError } from './errors.js';
import type { AdminPermission, ButtonView, ChatLike, UserLike } from './types.js';

export interface UserRecord {
  readonly id: number;
  readonly firstName: string;
  readonly lastName: string;
  readonly username: string | null;
  readonly isBot: boolean;
  /** Their privacy settings forbid bots to add them to chats (`add.participant.privacy`). */
  privacy: boolean;
  readonly locale: string;
}

export interface MemberRecord {
  readonly userId: number;
  isOwner: boolean;
  isAdmin: boolean;
  /** Admin permissions; null for a plain member. */
  permissions: AdminPermission[] | null;
  readonly inviterId: number | null;
  readonly joinTime: number;
}

export interface MessageRecord {
  readonly mid: string;
  readonly seq: number;
  readonly chatId: number;
  readonly senderId: number;
  text: string | null;
  readonly timestamp: number;
  readonly link?: { readonly type: 'reply' | 'forward'; readonly mid: string };
  /** Attachments as sent (inline keyboards included); null for none. */
  attachments: readonly unknown[] | null;
  format?: string;
  readonly edits: (string | null)[];
  deleted: boolean;
  deletedBy?: number;
}

export interface ChatRecord {
  readonly id: number;
  readonly type: 'chat' | 'dialog';
  title: string;
  /** Public or private join link; `block=true` on removal is honoured only when there is one. */
  link: string | null;
  isPublic: boolean;
  description: string | null;
  ownerId: number | null;
  readonly members: Map<number, MemberRecord>;
  /** People removed with `block=true`: they cannot come back by link. */
  readonly blocked: Set<number>;
  /** How the bot stopped being a member, if it did. */
  botGone: 'removed' | 'left' | undefined;
  readonly messages: MessageRecord[];
  nextSeq: number;
  lastEventTime: number;
  /** For dialogs: the person, and whether they have the bot started or stopped it. */
  readonly dialogUserId?: number;
  dialogStatus?: 'active' | 'suspended';
}

export interface CallbackRecord {
  readonly callbackId: string;
  readonly userId: number;
  readonly chatId: number;
  readonly mid: string;
  readonly payload: string;
  readonly timestamp: number;
}

const FIRST_USER_ID = 10_000_001;
/** Group chats have negative ids in MAX (the official Go client's fixtures show -70000000000005). */
const CHAT_ID_BASE = -70_000_000_000_000;
const DIALOG_ID_BASE = 180_000_000;

/**
 * The in-memory MAX as one bot sees it: people, group chats with members, admins and blocks, dialogs with
 * the bot, messages and button presses. Rules of state only; who may do what is decided by the methods
 * (for the bot) and the simulation helpers (for people).
 */
export class World {
  readonly users = new Map<number, UserRecord>();
  readonly chats = new Map<number, ChatRecord>();
  readonly dialogs = new Map<number, ChatRecord>();
  readonly messagesByMid = new Map<string, MessageRecord>();
  readonly callbacks = new Map<string, CallbackRecord>();
  /** What `PATCH /me/commands` set. */
  commands: unknown[] = [];
  private nextUserId = FIRST_USER_ID;
  private nextChatNumber = 1;
  private nextDialogNumber = 1;
  private nextMessageNumber = 1;

  constructor(
    readonly bot: UserRecord,
    readonly clock: () => Date,
  ) {
    this.users.set(bot.id, bot);
  }

  now(): number {
    return this.clock().getTime();
  }

  createUser(
    firstName: string,
    lastName: string,
    options: { username?: string; privacy?: boolean },
  ): UserRecord {
    const user: UserRecord = {
      id: this.nextUserId++,
      firstName,
      lastName,
      username: options.username ?? null,
      isBot: false,
      privacy: options.privacy === true,
      locale: 'ru',
    };
    this.users.set(user.id, user);
    return user;
  }

  createChat(title: string, link: 'private' | 'public' | null): ChatRecord {
    const number = this.nextChatNumber++;
    const chat: ChatRecord = {
      id: CHAT_ID_BASE - number,
      type: 'chat',
      title,
      link: null,
      isPublic: false,
      description: null,
      ownerId: null,
      members: new Map(),
      blocked: new Set(),
      botGone: undefined,
      messages: [],
      nextSeq: 1,
      lastEventTime: this.now(),
    };
    this.setLink(chat, link);
    this.chats.set(chat.id, chat);
    return chat;
  }

  setLink(chat: ChatRecord, link: 'private' | 'public' | null): void {
    chat.isPublic = link === 'public';
    chat.link =
      link === null
        ? null
        : link === 'public'
          ? `https://max.ru/chat${Math.abs(chat.id) % 1_000_000}`
          : `https://max.ru/join/${randomBytes(16).toString('base64url')}`;
  }

  /** The bot's dialog with a person, created on first use. */
  dialogWith(userId: number): ChatRecord {
    const existing = this.dialogs.get(userId);
    if (existing) return existing;
    this.requireUser(userId);
    const dialog: ChatRecord = {
      id: DIALOG_ID_BASE + this.nextDialogNumber++,
      type: 'dialog',
      title: '',
      link: null,
      isPublic: false,
      description: null,
      ownerId: null,
      members: new Map(),
      blocked: new Set(),
      botGone: undefined,
      messages: [],
      nextSeq: 1,
      lastEventTime: this.now(),
      dialogUserId: userId,
      dialogStatus: 'suspended',
    };
    this.dialogs.set(userId, dialog);
    this.chats.set(dialog.id, dialog);
    return dialog;
  }

  user(id: number): UserRecord | undefined {
    return this.users.get(id);
  }

  requireUser(like: UserLike): UserRecord {
    const id = typeof like === 'number' ? like : like.user_id;
    const user = this.users.get(id);
    if (!user) throw new ScenarioError(`no user ${id}`);
    return user;
  }

  requireChat(like: ChatLike): ChatRecord {
    const id = typeof like === 'number' ? like : like.chatId;
    const chat = this.chats.get(id);
    if (chat?.type !== 'chat') throw new ScenarioError(`no group chat ${id}`);
    return chat;
  }

  join(
    chat: ChatRecord,
    userId: number,
    inviterId: number | null,
    permissions?: AdminPermission[],
  ): MemberRecord {
    const member: MemberRecord = {
      userId,
      isOwner: false,
      isAdmin: permissions !== undefined,
      permissions: permissions ? [...permissions] : null,
      inviterId,
      joinTime: this.now(),
    };
    chat.members.set(userId, member);
    chat.lastEventTime = this.now();
    if (userId === this.bot.id) chat.botGone = undefined;
    return member;
  }

  botMember(chat: ChatRecord): MemberRecord | undefined {
    return chat.members.get(this.bot.id);
  }

  /** The bot is a member, and an admin holding `permission`. */
  botMay(chat: ChatRecord, permission: AdminPermission): boolean {
    const member = this.botMember(chat);
    return member?.isAdmin === true && (member.permissions ?? []).includes(permission);
  }

  /**
   * Whether the bot hears ordinary chat events: in groups, `message_*` and `user_*` updates reach a bot only
   * while it is an admin with `read_all_messages` (schema, MessageCreatedUpdate and UserAddedToChatUpdate).
   */
  hearsChat(chat: ChatRecord): boolean {
    return chat.type === 'dialog' || this.botMay(chat, 'read_all_messages');
  }

  post(
    chat: ChatRecord,
    senderId: number,
    text: string | null,
    extra: {
      link?: { type: 'reply' | 'forward'; mid: string };
      attachments?: readonly unknown[] | null;
      format?: string;
    } = {},
  ): MessageRecord {
    const number = this.nextMessageNumber++;
    const record: MessageRecord = {
      mid: `mid.${Math.abs(chat.id).toString(16).padStart(16, '0')}${number.toString(16).padStart(16, '0')}`,
      seq: chat.nextSeq++,
      chatId: chat.id,
      senderId,
      text,
      timestamp: this.now(),
      ...(extra.link && { link: extra.link }),
      attachments: extra.attachments && extra.attachments.length > 0 ? extra.attachments : null,
      ...(extra.format && { format: extra.format }),
      edits: [],
      deleted: false,
    };
    chat.messages.push(record);
    chat.lastEventTime = record.timestamp;
    this.messagesByMid.set(record.mid, record);
    return record;
  }

  chatOf(record: MessageRecord): ChatRecord {
    const chat = this.chats.get(record.chatId);
    if (!chat) throw new Error(`message ${record.mid} has no chat`);
    return chat;
  }

  newCallback(userId: number, record: MessageRecord, payload: string): CallbackRecord {
    const callback: CallbackRecord = {
      callbackId: randomBytes(30).toString('base64url'),
      userId,
      chatId: record.chatId,
      mid: record.mid,
      payload,
      timestamp: this.now(),
    };
    this.callbacks.set(callback.callbackId, callback);
    return callback;
  }
}

/** The inline keyboard of a message, if it has one. */
export function keyboardOf(record: MessageRecord): ButtonView[][] | undefined {
  for (const attachment of record.attachments ?? []) {
    if (!isRecord(attachment) || attachment.type !== 'inline_keyboard') continue;
    const payload = attachment.payload;
    if (!isRecord(payload) || !Array.isArray(payload.buttons)) continue;
    return payload.buttons.map((row: unknown) =>
      (Array.isArray(row) ? row : []).filter(isRecord).map((button) => ({
        type: String(button.type),
        text: String(button.text),
        ...(typeof button.payload === 'string' && { payload: button.payload }),
        ...(typeof button.url === 'string' && { url: button.url }),
      })),
    );
  }
  return undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
