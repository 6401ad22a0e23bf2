import { randomBytes } from 'node:crypto';
import type {
  BotCommand,
  CallbackQuery,
  ChatJoinRequest,
  ChatMemberUpdated,
  LinkPreviewOptions,
  Message,
  User,
} from 'telegraf/types';
import {
  type CallbackQueryRecord,
  type ChatRecord,
  canSendText,
  DEFAULT_PERMISSIONS,
  expire,
  fullName,
  fullRights,
  type InviteLinkRecord,
  isInChat,
  type JoinRequestRecord,
  LEFT,
  MEMBER,
  type MemberEntry,
  type MemberState,
  type MessageRecord,
  type ServiceContent,
  type TextContent,
} from './model.js';
import { chatJson, inviteLinkJson, memberJson, messageJson } from './serialize.js';
import type { AdminRightKey, AdminRights, Permissions, Refusals } from './types.js';

/** An update before it gets its `update_id`. */
export type UpdatePayload =
  | { readonly message: Message }
  | { readonly callback_query: CallbackQuery }
  | { readonly my_chat_member: ChatMemberUpdated }
  | { readonly chat_member: ChatMemberUpdated }
  | { readonly chat_join_request: ChatJoinRequest };

/** Receives the updates the world produces; `queueKey` orders webhook delivery like telegram-bot-api's queues. */
export interface UpdateSink {
  push(payload: UpdatePayload, queueKey: string): void;
}

export interface WorldOptions {
  readonly clock: () => Date;
  readonly sink: UpdateSink;
  readonly botUsername: string;
  readonly botName: string;
  readonly privacyMode: boolean;
  readonly refusals: Required<Refusals>;
}

/** The user anonymous administrators post as (`sender_chat` = the group). */
export const GROUP_ANONYMOUS_BOT: User = {
  id: 1087968824,
  is_bot: true,
  first_name: 'Group',
  username: 'GroupAnonymousBot',
};

/** A message about to be stored. */
export interface MessageDraft {
  readonly from: User;
  readonly senderChatId?: number;
  readonly content?: TextContent;
  readonly service?: ServiceContent;
  readonly replyToId?: number;
  readonly fromBot?: boolean;
  readonly protectContent?: boolean;
  readonly linkPreviewOptions?: LinkPreviewOptions;
}

/** How a user enters a chat. */
export interface JoinOptions {
  /** Who added them (`added`) or approved them (`request`). */
  readonly by?: User;
  readonly via: 'added' | 'link' | 'request';
  readonly status?: 'creator' | 'administrator' | 'member';
  readonly rights?: Partial<AdminRights>;
  readonly link?: InviteLinkRecord;
}

/** Window in which a bot may write to a join-request applicant who never started it. */
export const JOIN_REQUEST_WINDOW_SECONDS = 5 * 60;

/**
 * The in-memory Telegram: users, chats, memberships, messages, invite links, join requests and button presses.
 * Every change that Telegram would report produces the same update through the {@link UpdateSink}, after the
 * gates Telegram applies: chat messages only while the bot is in the chat (and privacy mode allows them),
 * `chat_member` only where the bot is an administrator, join requests only with `can_invite_users`.
 */
export class World {
  readonly botUser: User;
  readonly privacyMode: boolean;
  /** Refusals Telegram gives on its own that the methods apply. */
  readonly refusals: Required<Refusals>;
  readonly callbackQueries = new Map<string, CallbackQueryRecord>();
  /** Bot commands per `scope|language_code` key. */
  readonly commands = new Map<string, BotCommand[]>();
  private readonly users = new Map<number, User>();
  private readonly chats = new Map<number, ChatRecord>();
  private readonly started = new Set<number>();
  private readonly blocked = new Set<number>();
  private readonly known = new Set<number>();
  private nextUserId = 1000;
  private nextSupergroup = 1;
  private nextGroup = 1;
  private nextCallbackQuery = 1;

  constructor(private readonly options: WorldOptions) {
    this.botUser = { id: 999000, is_bot: true, first_name: options.botName, username: options.botUsername };
    this.privacyMode = options.privacyMode;
    this.refusals = options.refusals;
    this.users.set(this.botUser.id, this.botUser);
    this.users.set(GROUP_ANONYMOUS_BOT.id, GROUP_ANONYMOUS_BOT);
  }

  /** Unix seconds by the clock. */
  now(): number {
    return Math.floor(this.nowMs() / 1000);
  }

  /** Milliseconds by the clock. */
  nowMs(): number {
    return this.options.clock().getTime();
  }

  // ------------------------------------------------------------------ users

  createUser(input: Omit<User, 'id' | 'is_bot'> & { readonly is_bot?: boolean }): User {
    const user: User = { ...input, id: this.nextUserId++, is_bot: input.is_bot ?? false };
    this.users.set(user.id, user);
    return user;
  }

  user(id: number): User | undefined {
    return this.users.get(id);
  }

  /** Whether the bot has met the user (shared a chat event, a message, a request or a press). */
  isKnown(userId: number): boolean {
    return this.known.has(userId);
  }

  noteKnown(user: User): void {
    this.known.add(user.id);
  }

  markStarted(user: User): void {
    this.noteKnown(user);
    this.started.add(user.id);
  }

  /** The user blocks or unblocks the bot; Telegram reports it as my_chat_member in the private chat. */
  setBlocked(user: User, blocked: boolean): void {
    if (this.blocked.has(user.id) === blocked) return;
    const chat = this.privateChat(user);
    if (blocked) this.blocked.add(user.id);
    else this.blocked.delete(user.id);
    const before: MemberState = blocked ? MEMBER : { status: 'kicked', untilDate: 0 };
    const after: MemberState = blocked ? { status: 'kicked', untilDate: 0 } : MEMBER;
    this.options.sink.push(
      {
        my_chat_member: {
          chat: chatJson(chat),
          from: user,
          date: this.now(),
          old_chat_member: memberJson(chat, this.botUser, before),
          new_chat_member: memberJson(chat, this.botUser, after),
        },
      },
      `my:${chat.id}`,
    );
  }

  /**
   * Whether the bot may write to `user` in private: they started it and did not block it, or they have a pending
   * join request younger than five minutes.
   */
  privateAccess(user: User): 'ok' | 'blocked' | 'not-started' {
    if (this.blocked.has(user.id)) return 'blocked';
    if (this.started.has(user.id)) return 'ok';
    const now = this.now();
    for (const chat of this.chats.values()) {
      for (const request of chat.joinRequests) {
        if (request.user.id === user.id && request.status === 'pending') {
          if (now < request.date + JOIN_REQUEST_WINDOW_SECONDS) return 'ok';
        }
      }
    }
    return 'not-started';
  }

  // ------------------------------------------------------------------ chats

  createChat(input: {
    readonly type: 'group' | 'supergroup';
    readonly title: string;
    readonly permissions?: Partial<Permissions>;
    readonly username?: string;
    readonly migratedFrom?: number;
  }): ChatRecord {
    const id =
      input.type === 'supergroup' ? -(1001000000000 + this.nextSupergroup++) : -(1000000 + this.nextGroup++);
    const chat = this.newChat(id, input.type, input.title, {
      permissions: { ...DEFAULT_PERMISSIONS, ...input.permissions },
      username: input.username,
      migratedFrom: input.migratedFrom,
      privateUser: undefined,
    });
    return chat;
  }

  chat(id: number): ChatRecord | undefined {
    return this.chats.get(id);
  }

  /** A chat by `chat_id` as a client sends it: a number, or `@username` of a public supergroup. */
  chatByRef(ref: string): ChatRecord | undefined {
    if (ref.startsWith('@')) {
      const name = ref.slice(1).toLowerCase();
      for (const chat of this.chats.values()) if (chat.username?.toLowerCase() === name) return chat;
      return undefined;
    }
    const id = Number(ref);
    if (!Number.isSafeInteger(id)) return undefined;
    const chat = this.chats.get(id);
    if (chat) return chat;
    const user = id > 0 ? this.users.get(id) : undefined;
    return user && this.known.has(id) ? this.privateChat(user) : undefined;
  }

  /** The private chat between `user` and the bot (its id is the user's id). */
  privateChat(user: User): ChatRecord {
    return (
      this.chats.get(user.id) ??
      this.newChat(user.id, 'private', fullName(user), {
        permissions: DEFAULT_PERMISSIONS,
        username: user.username,
        migratedFrom: undefined,
        privateUser: user,
      })
    );
  }

  private newChat(
    id: number,
    type: ChatRecord['type'],
    title: string,
    extra: Pick<ChatRecord, 'permissions' | 'username' | 'migratedFrom' | 'privateUser'>,
  ): ChatRecord {
    const chat: ChatRecord = {
      id,
      type,
      title,
      ...extra,
      members: new Map(),
      messages: new Map(),
      nextMessageId: 1,
      inviteLinks: [],
      joinRequests: [],
      migratedTo: undefined,
      // A stable 64-bit-looking number per chat, like Telegram's chat_instance.
      chatInstance: String((BigInt(Math.abs(id)) * 2654435761n + 1234567n) % 9223372036854775807n),
    };
    this.chats.set(id, chat);
    return chat;
  }

  // ------------------------------------------------------------------ members

  /** The user's current standing; expired restrictions and bans are lifted on the way, silently. */
  state(chat: ChatRecord, userId: number): MemberState {
    const entry = chat.members.get(userId);
    if (!entry) return LEFT;
    const current = expire(entry.state, this.now());
    if (current !== entry.state) entry.state = current;
    return current;
  }

  /** Every user the chat has a record of, with current standing. */
  entries(chat: ChatRecord): MemberEntry[] {
    return [...chat.members.values()].map((entry) => {
      this.state(chat, entry.user.id);
      return entry;
    });
  }

  botState(chat: ChatRecord): MemberState {
    return this.state(chat, this.botUser.id);
  }

  /** Whether the bot is an administrator of the chat holding `right`. */
  botCan(chat: ChatRecord, right: AdminRightKey): boolean {
    const state = this.botState(chat);
    return state.status === 'administrator' && state.rights[right];
  }

  /** Whether a user may post text in the chat now. */
  canPost(chat: ChatRecord, userId: number): boolean {
    return canSendText(this.state(chat, userId), chat.permissions);
  }

  /**
   * Sets a member's standing. When the serialised ChatMember changes, emits `my_chat_member` (the bot) or
   * `chat_member` (anyone else, delivered only where the bot is an administrator), `from` = `actor`.
   * @returns whether anything changed
   */
  changeMember(
    chat: ChatRecord,
    user: User,
    next: MemberState,
    actor: User,
    link?: InviteLinkRecord,
  ): boolean {
    const before = this.state(chat, user.id);
    chat.members.set(user.id, { user, state: next });
    this.noteKnown(user);
    this.noteKnown(actor);
    const oldJson = memberJson(chat, user, before);
    const newJson = memberJson(chat, user, next);
    if (JSON.stringify(oldJson) === JSON.stringify(newJson)) return false;
    const update: ChatMemberUpdated = {
      chat: chatJson(chat),
      from: actor,
      date: this.now(),
      old_chat_member: oldJson,
      new_chat_member: newJson,
      ...(link && { invite_link: inviteLinkJson(chat, link) }),
    };
    if (user.id === this.botUser.id) {
      this.options.sink.push({ my_chat_member: update }, `my:${chat.id}`);
    } else if (this.botState(chat).status === 'administrator') {
      this.options.sink.push({ chat_member: update }, `cm:${chat.id}`);
    }
    return true;
  }

  /**
   * A user enters the chat: their status changes (a restricted user stays restricted), then the
   * `new_chat_members` service message follows, from whoever added them or from the user themselves.
   */
  join(chat: ChatRecord, user: User, options: JoinOptions): MessageRecord {
    const before = this.state(chat, user.id);
    let next: MemberState;
    if (options.status === 'creator') next = { status: 'creator', isAnonymous: false };
    else if (options.status === 'administrator') {
      next = { status: 'administrator', rights: fullRights(options.rights ?? {}), canBeEdited: false };
    } else next = before.status === 'restricted' ? { ...before, isMember: true } : MEMBER;
    const actor = options.via === 'link' ? user : (options.by ?? user);
    this.changeMember(chat, user, next, actor, options.link);
    if (options.link) options.link.joined++;
    return this.postMessage(chat, {
      from: options.via === 'added' ? (options.by ?? user) : user,
      service: { kind: 'new_chat_members', users: [user] },
    });
  }

  /**
   * A user goes: their status becomes `next` (left, kicked, or restricted-but-out), and when they were inside,
   * the `left_chat_member` service message follows, from `actor`.
   */
  remove(chat: ChatRecord, user: User, actor: User, next: MemberState): void {
    const wasInside = isInChat(this.state(chat, user.id));
    this.changeMember(chat, user, next, actor);
    if (wasInside) {
      this.postMessage(chat, {
        from: actor,
        fromBot: actor.id === this.botUser.id,
        service: { kind: 'left_chat_member', user },
      });
    }
  }

  // ------------------------------------------------------------------ messages

  /** Stores a message with the chat's next id and delivers it when Telegram would. */
  postMessage(chat: ChatRecord, draft: MessageDraft): MessageRecord {
    const date = this.now();
    const record: MessageRecord = {
      chatId: chat.id,
      messageId: chat.nextMessageId++,
      date,
      from: draft.from,
      senderChatId: draft.senderChatId,
      service: draft.service,
      replyToId: draft.replyToId,
      fromBot: draft.fromBot ?? false,
      protectContent: draft.protectContent ?? false,
      linkPreviewOptions: draft.linkPreviewOptions,
      versions: draft.content
        ? [
            {
              text: draft.content.text,
              entities: draft.content.entities,
              reply_markup: draft.content.replyMarkup,
              date,
            },
          ]
        : [],
      editDate: undefined,
      deleted: false,
    };
    chat.messages.set(record.messageId, record);
    this.noteKnown(draft.from);
    if (this.delivers(chat, record))
      this.options.sink.push({ message: messageJson(this, record) }, `m:${chat.id}`);
    return record;
  }

  /** A stored, not deleted message. */
  liveMessage(chat: ChatRecord, messageId: number): MessageRecord | undefined {
    const record = chat.messages.get(messageId);
    return record && !record.deleted ? record : undefined;
  }

  // telegram-bot-api's need_skip_update_message, plus privacy mode.
  private delivers(chat: ChatRecord, record: MessageRecord): boolean {
    const service = record.service;
    const aboutBotLeaving = service?.kind === 'left_chat_member' && service.user.id === this.botUser.id;
    if (record.fromBot && service?.kind !== 'left_chat_member') return false;
    if (chat.type === 'private') return true;
    const bot = this.botState(chat);
    if (!isInChat(bot)) return aboutBotLeaving;
    if (!this.privacyMode || bot.status === 'administrator' || service) return true;
    const replied = record.replyToId === undefined ? undefined : chat.messages.get(record.replyToId);
    if (replied?.fromBot) return true;
    const content = record.versions[0];
    const command = content?.entities.find((e) => e.type === 'bot_command' && e.offset === 0);
    if (!content || !command) return false;
    const target = content.text.slice(0, command.length).split('@')[1];
    return target === undefined || target.toLowerCase() === this.botUser.username?.toLowerCase();
  }

  // ------------------------------------------------------------------ links and join requests

  /** Creates an invite link record (`https://t.me/+…`). */
  addInviteLink(
    chat: ChatRecord,
    input: Omit<InviteLinkRecord, 'link' | 'revoked' | 'joined'>,
  ): InviteLinkRecord {
    const link: InviteLinkRecord = {
      ...input,
      link: `https://t.me/+${randomBytes(12).toString('base64url')}`,
      revoked: false,
      joined: 0,
    };
    chat.inviteLinks.push(link);
    return link;
  }

  /** Why a link cannot be used now, or undefined when it can. */
  linkProblem(link: InviteLinkRecord): string | undefined {
    if (link.revoked) return 'the invite link was revoked';
    if (link.expireDate !== undefined && this.now() >= link.expireDate) return 'the invite link has expired';
    if (link.memberLimit !== undefined && link.joined >= link.memberLimit)
      return 'the invite link reached its limit';
    return undefined;
  }

  /** Files a join request and tells the bot when it may manage requests (`can_invite_users`). */
  requestJoin(chat: ChatRecord, user: User, link: InviteLinkRecord): JoinRequestRecord {
    const request: JoinRequestRecord = { user, date: this.now(), link, status: 'pending' };
    chat.joinRequests.push(request);
    this.noteKnown(user);
    const chatObject = chatJson(chat);
    if (this.botCan(chat, 'can_invite_users') && chatObject.type === 'supergroup') {
      this.options.sink.push(
        {
          chat_join_request: {
            chat: chatObject,
            from: user,
            user_chat_id: user.id,
            date: request.date,
            invite_link: inviteLinkJson(chat, link),
          },
        },
        `cm:${chat.id}`,
      );
    }
    return request;
  }

  pendingRequest(chat: ChatRecord, userId: number): JoinRequestRecord | undefined {
    return chat.joinRequests.find((r) => r.user.id === userId && r.status === 'pending');
  }

  // ------------------------------------------------------------------ buttons

  /** A user presses an inline button of a bot message; the bot gets `callback_query`. */
  pressButton(chat: ChatRecord, record: MessageRecord, user: User, data: string): string {
    const id = String(4_611_686_018_427_387_904n + BigInt(this.nextCallbackQuery++));
    this.callbackQueries.set(id, {
      id,
      from: user,
      chatId: chat.id,
      messageId: record.messageId,
      data,
      pressedAtMs: this.nowMs(),
      answer: undefined,
    });
    this.noteKnown(user);
    this.options.sink.push(
      {
        callback_query: {
          id,
          from: user,
          message: messageJson(this, record),
          chat_instance: chat.chatInstance,
          data,
        },
      },
      `cb:${user.id}`,
    );
    return id;
  }

  // ------------------------------------------------------------------ migration

  /**
   * Upgrades a basic group: a supergroup with a new id takes over title, permissions and members; the old group
   * gets `migrate_to_chat_id` and the new one `migrate_from_chat_id`, both from `by`.
   */
  migrate(group: ChatRecord, by: User): ChatRecord {
    const supergroup = this.createChat({
      type: 'supergroup',
      title: group.title,
      permissions: group.permissions,
      migratedFrom: group.id,
    });
    for (const entry of this.entries(group)) {
      supergroup.members.set(entry.user.id, { user: entry.user, state: entry.state });
    }
    group.migratedTo = supergroup.id;
    this.postMessage(group, { from: by, service: { kind: 'migrate_to_chat_id', chatId: supergroup.id } });
    this.postMessage(supergroup, { from: by, service: { kind: 'migrate_from_chat_id', chatId: group.id } });
    return supergroup;
  }
}
