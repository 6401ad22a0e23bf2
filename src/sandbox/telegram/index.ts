/**
 * An emulated Telegram Bot API: the sandbox's Telegram (`npm start` without BOT_TOKEN) and the fake server
 * the end-to-end tests drive (`test/support/fake-bot-api/` re-exports it).
 *
 * - `index.ts`       FakeBotApi: lifecycle, scenario helpers, read side, faults
 * - `world.ts`       the in-memory Telegram and the gates that decide which updates the bot gets
 * - `model.ts`       records and pure membership / permission rules
 * - `serialize.ts`   Bot API JSON of chats, members, messages and links
 * - `formatting.ts`  parse_mode (HTML, MarkdownV2, Markdown), trimming, entity detection
 * - `methods/`       the Bot API methods by area; `dispatch.ts` runs a call (faults, limits, log)
 * - `faults.ts`      queued faults (status, timeout, indeterminate) and seeded chaos; `limits.ts` flood limits;
 *                    `retry-after.ts` early retries; `stats.ts` the counters; `fault-types.ts` their options
 * - `updates.ts`     the update queue, allowed_updates and long polling; `webhook.ts` webhook delivery
 * - `http.ts`        the node:http front (routing, tokens, JSON / form / multipart bodies)
 */
import type { BotCommand, BotCommandScope, Chat, Message, MessageEntity, User } from 'telegraf/types';
import { Dispatcher } from './dispatch.js';
import { ApiError, ScenarioError } from './errors.js';
import { FaultInjector, mulberry32 } from './faults.js';
import { formatText } from './formatting.js';
import { HttpFront } from './http.js';
import { RateLimiter } from './limits.js';
import { commandsKey } from './methods/commands.js';
import {
  type ChatRecord,
  fullName,
  fullRights,
  type InviteLinkRecord,
  isInChat,
  LEFT,
  MEMBER,
  type MemberState,
  type MessageRecord,
} from './model.js';
import { ParamReader } from './params.js';
import { RetryAfterWindows } from './retry-after.js';
import { chatJson, inviteLinkJson, messageJson } from './serialize.js';
import { StatsCollector } from './stats.js';
import type {
  AdminRights,
  CallRecord,
  ChaosOptions,
  ChatView,
  DuplicateOptions,
  FakeBotApiOptions,
  Fault,
  FaultOptions,
  InviteLinkView,
  JoinRequestView,
  MemberView,
  Permissions,
  RecordedMessage,
  Stats,
  WebhookDelivery,
} from './types.js';
import { UpdateQueue, type WireUpdate } from './updates.js';
import { WebhookDispatcher } from './webhook.js';
import { GROUP_ANONYMOUS_BOT, World } from './world.js';

export { ApiError, ScenarioError } from './errors.js';
export type * from './types.js';
export {
  ADMIN_RIGHT_KEYS,
  MEMBER_ACTION_METHODS,
  PERMISSION_KEYS,
  TELEGRAM_LIMITS,
  TELEGRAM_LIMITS_EVERY_METHOD,
  UPDATE_TYPES,
} from './types.js';
export type { WireUpdate } from './updates.js';
export { GROUP_ANONYMOUS_BOT } from './world.js';

/** A chat id, or any object carrying one (a Chat from {@link FakeBotApi.createChat}). */
export type ChatRef = number | { readonly id: number };

/** Who posts a group message: a user, or an anonymous administrator posting as the chat. */
export type Sender = User | { readonly senderChat: ChatRef };

/**
 * A stateful, in-memory Telegram Bot API server (Bot API 7.1 subset) for end-to-end tests and the sandbox.
 *
 * Bots talk to it over real HTTP (`new Telegram(token, { apiRoot: api.apiRoot })`); tests drive the other side
 * with scenario helpers (people join, post, press buttons, ask to join), each emitting the updates Telegram
 * would, and assert on the read side (members, messages, links, calls). Faults, chaos and flood limits
 * reproduce Telegram's failure modes. Error texts follow telegram-bot-api and TDLib.
 *
 * @example
 * const api = new FakeBotApi();
 * await api.start();
 * const teacher = api.createUser({ first_name: 'Anna' });
 * const chat = api.createChat({ type: 'supergroup', title: '5B' });
 * api.addMember(chat.id, teacher, { status: 'creator' });
 * api.addBot(chat.id, { by: teacher, status: 'administrator', rights: { can_restrict_members: true } });
 */
export class FakeBotApi {
  /** The token the server accepts. */
  readonly token: string;
  /** The bot as it appears in messages (`is_bot: true`, id 999000). */
  readonly bot: User;
  private readonly clock: () => Date;
  private readonly world: World;
  private readonly updates: UpdateQueue;
  private readonly webhook: WebhookDispatcher;
  private readonly faults = new FaultInjector();
  private readonly dispatcher: Dispatcher;
  private readonly http: HttpFront;
  private readonly callLog: CallRecord[] = [];
  private readonly counters = new StatsCollector();
  private port: number | undefined;

  constructor(options: FakeBotApiOptions = {}) {
    this.token = options.token ?? '123:abc';
    this.clock = options.clock ?? (() => new Date());
    this.updates = new UpdateQueue(this.counters.updates, options.allowedUpdates);
    this.world = new World({
      clock: this.clock,
      sink: this.updates,
      botUsername: options.botUsername ?? 'class_moderator_bot',
      botName: options.botName ?? 'Class Moderator',
      privacyMode: options.privacyMode ?? false,
      refusals: {
        callbackQuerySeconds: options.refusals?.callbackQuerySeconds ?? 15,
        approveParticipant: options.refusals?.approveParticipant ?? true,
        approveBanned: options.refusals?.approveBanned ?? 'admit',
      },
    });
    this.bot = this.world.botUser;
    this.webhook = new WebhookDispatcher(this.updates, {
      retryDelayMs: options.webhook?.retryDelayMs ?? 100,
      timeoutMs: options.webhook?.timeoutMs ?? 5000,
      clock: this.clock,
      counters: this.counters.updates,
      onReply: async (method, params) => {
        await this.dispatcher.call(method, params, 'webhook-reply', new AbortController().signal);
      },
    });
    this.dispatcher = new Dispatcher({
      world: this.world,
      updates: this.updates,
      webhook: this.webhook,
      faults: this.faults,
      limiter: new RateLimiter(options.limits),
      retryAfter: new RetryAfterWindows(this.clock),
      enforceRetryAfter: options.enforceRetryAfter ?? false,
      clock: this.clock,
      calls: this.callLog,
      stats: this.counters,
    });
    this.http = new HttpFront(this.token, (method, params, signal) =>
      this.dispatcher.call(method, params, 'http', signal),
    );
  }

  // ================================================================== lifecycle

  /** Starts listening on 127.0.0.1 on a random port. */
  async start(): Promise<void> {
    this.port = await this.http.start();
    this.updates.open();
    this.webhook.resume();
  }

  /** Answers pending long polls, pauses webhook deliveries and closes every socket; state is kept for a restart. */
  async stop(): Promise<void> {
    this.updates.close();
    this.webhook.pause();
    await this.http.stop();
    this.port = undefined;
  }

  /** `http://127.0.0.1:<port>`, for telegraf's `apiRoot`. */
  get apiRoot(): string {
    if (this.port === undefined) throw new Error('FakeBotApi is not started');
    return `http://127.0.0.1:${this.port}`;
  }

  // ================================================================== people and chats

  /** Registers a person (ids count up from 1000). */
  createUser(input: {
    readonly first_name: string;
    readonly last_name?: string;
    readonly username?: string;
    readonly is_bot?: boolean;
    readonly language_code?: string;
  }): User {
    return this.world.createUser(input);
  }

  /**
   * Creates a group (ids like -1000001) or supergroup (ids like -1001000000001). Default permissions allow every
   * `can_send_*` and inviting; pinning, info and topics are for admins. No updates: the bot is not there yet.
   * @param input.username makes a supergroup public (`@username` works as chat_id)
   */
  createChat(input: {
    readonly type: 'group' | 'supergroup';
    readonly title: string;
    readonly permissions?: Partial<Permissions>;
    readonly username?: string;
  }): Chat.GroupChat | Chat.SupergroupChat {
    return groupJson(this.world.createChat(input));
  }

  /**
   * A person joins a group. Emits `chat_member` (left → new status; delivered where the bot is an administrator
   * and `chat_member` is allowed) and the `new_chat_members` message, `from` = `by` when added, else the user.
   * A restricted user who left comes back restricted.
   * @param options.via `added` (default when `by` is given) or `link` (joining by themselves)
   * @param options.inviteLink a link of this chat to join through (must not need approval)
   * @returns the service message
   */
  addMember(
    chatId: ChatRef,
    user: User,
    options: {
      readonly status?: 'creator' | 'administrator' | 'member';
      readonly rights?: Partial<AdminRights>;
      readonly by?: User;
      readonly via?: 'added' | 'link';
      readonly inviteLink?: string;
    } = {},
  ): Message {
    const chat = this.groupChat(chatId);
    if (user.id === this.bot.id) throw new ScenarioError('use addBot() to add the bot under test');
    const state = this.world.state(chat, user.id);
    if (isInChat(state)) throw new ScenarioError(`${fullName(user)} is already in "${chat.title}"`);
    if (options.status === 'creator' && this.world.entries(chat).some((e) => e.state.status === 'creator')) {
      throw new ScenarioError(`"${chat.title}" already has an owner`);
    }
    const via = options.via ?? (options.by && options.by.id !== user.id ? 'added' : 'link');
    let link: InviteLinkRecord | undefined;
    if (via === 'link') {
      if (state.status === 'kicked')
        throw new ScenarioError(`${fullName(user)} is banned from "${chat.title}"`);
      if (options.inviteLink !== undefined) {
        link = this.findLink(chat, options.inviteLink);
        if (link.createsJoinRequest) throw new ScenarioError('this link needs approval: use requestJoin()');
      }
    } else {
      const by = this.requireBy(options.by, 'addMember');
      this.assertCanInvite(chat, by, state.status === 'kicked');
    }
    const record = this.world.join(chat, user, {
      via,
      ...(options.by && { by: options.by }),
      ...(options.status && { status: options.status }),
      ...(options.rights && { rights: options.rights }),
      ...(link && { link }),
    });
    return messageJson(this.world, record);
  }

  /**
   * Someone adds the bot. Emits `my_chat_member` (left → member/administrator with `rights`) and the
   * `new_chat_members` message containing the bot.
   */
  addBot(
    chatId: ChatRef,
    options: {
      readonly by: User;
      readonly status?: 'member' | 'administrator';
      readonly rights?: Partial<AdminRights>;
    },
  ): Message {
    const chat = this.groupChat(chatId);
    const state = this.world.botState(chat);
    if (isInChat(state)) throw new ScenarioError(`the bot is already in "${chat.title}"`);
    this.assertCanInvite(chat, options.by, state.status === 'kicked');
    const record = this.world.join(chat, this.bot, {
      via: 'added',
      by: options.by,
      status: options.status ?? 'member',
      ...(options.rights && { rights: options.rights }),
    });
    return messageJson(this.world, record);
  }

  /** Changes the bot's administrator rights (null demotes it to member). Emits `my_chat_member`. */
  setBotRights(chatId: ChatRef, rights: Partial<AdminRights> | null, by: User): void {
    const chat = this.groupChat(chatId);
    if (!isInChat(this.world.botState(chat))) throw new ScenarioError(`the bot is not in "${chat.title}"`);
    const next: MemberState = rights
      ? { status: 'administrator', rights: fullRights(rights), canBeEdited: false }
      : MEMBER;
    this.world.changeMember(chat, this.bot, next, by);
  }

  /**
   * Someone removes the bot: `my_chat_member` to `kicked` (default) or `left`, and the `left_chat_member`
   * message (which Telegram still delivers to the removed bot).
   */
  removeBot(chatId: ChatRef, by: User, options: { readonly status?: 'kicked' | 'left' } = {}): void {
    const chat = this.groupChat(chatId);
    if (!isInChat(this.world.botState(chat))) throw new ScenarioError(`the bot is not in "${chat.title}"`);
    const next: MemberState = options.status === 'left' ? LEFT : { status: 'kicked', untilDate: 0 };
    this.world.remove(chat, this.bot, by, next);
  }

  /** Makes a member an administrator. Emits `chat_member`. */
  promote(chatId: ChatRef, user: User, rights: Partial<AdminRights>, by: User): void {
    const chat = this.groupChat(chatId);
    if (!isInChat(this.world.state(chat, user.id)))
      throw new ScenarioError(`${fullName(user)} is not in the chat`);
    const next: MemberState = {
      status: 'administrator',
      rights: fullRights(rights),
      canBeEdited: by.id === this.bot.id,
    };
    this.world.changeMember(chat, user, next, by);
  }

  /** Makes an administrator an ordinary member. Emits `chat_member`. */
  demote(chatId: ChatRef, user: User, by: User): void {
    const chat = this.groupChat(chatId);
    if (this.world.state(chat, user.id).status !== 'administrator') {
      throw new ScenarioError(`${fullName(user)} is not an administrator`);
    }
    this.world.changeMember(chat, user, MEMBER, by);
  }

  /**
   * A member leaves (no `by`) or is removed by an administrator. Emits `chat_member` and the `left_chat_member`
   * message. Removal by an admin bans in supergroups (Telegram clients put removed users on the removed list)
   * unless `ban: false`; in basic groups it only removes. A restricted user who leaves stays restricted.
   */
  removeMember(chatId: ChatRef, user: User, by?: User, options: { readonly ban?: boolean } = {}): void {
    const chat = this.groupChat(chatId);
    const state = this.world.state(chat, user.id);
    if (!isInChat(state)) throw new ScenarioError(`${fullName(user)} is not in "${chat.title}"`);
    if (!by || by.id === user.id) {
      const next: MemberState = state.status === 'restricted' ? { ...state, isMember: false } : LEFT;
      this.world.remove(chat, user, user, next);
      return;
    }
    const actor = this.world.state(chat, by.id);
    if (actor.status !== 'creator' && actor.status !== 'administrator') {
      throw new ScenarioError(`${fullName(by)} is not an administrator of "${chat.title}"`);
    }
    const ban = options.ban ?? chat.type === 'supergroup';
    this.world.remove(
      chat,
      user,
      by,
      ban && chat.type === 'supergroup' ? { status: 'kicked', untilDate: 0 } : LEFT,
    );
  }

  /**
   * A person (or an anonymous administrator, `{ senderChat }`) posts in a group. Commands, mentions, hashtags
   * and URLs get their entities. Emits `message` where the bot may see it.
   * @throws {ScenarioError} when the sender cannot post: not a member, banned, or restricted (read-only)
   */
  sendMessage(
    chatId: ChatRef,
    from: Sender,
    text: string,
    options: { readonly replyTo?: number; readonly entities?: readonly MessageEntity[] } = {},
  ): Message {
    const chat = this.groupChat(chatId);
    let sender: User;
    let senderChatId: number | undefined;
    if ('senderChat' in from) {
      senderChatId = refId(from.senderChat);
      if (senderChatId !== chat.id) throw new ScenarioError('anonymous admins post as the chat itself');
      sender = GROUP_ANONYMOUS_BOT;
    } else {
      sender = from;
      if (!this.world.canPost(chat, from.id)) {
        throw new ScenarioError(
          `${fullName(from)} cannot post in "${chat.title}": ${this.whyMuted(chat, from)}`,
        );
      }
    }
    return this.post(chat, sender, text, options, senderChatId);
  }

  /**
   * A person writes to the bot in private (chat id = user id). Marks that they started the bot, and unblocks
   * it if they had blocked it.
   */
  privateMessage(user: User, text: string, options: { readonly replyTo?: number } = {}): Message {
    this.world.markStarted(user);
    this.world.setBlocked(user, false);
    return this.post(this.world.privateChat(user), user, text, options, undefined);
  }

  /** The user blocks the bot: `my_chat_member` member → kicked in the private chat; sends then fail with 403. */
  blockBot(user: User): void {
    this.world.markStarted(user);
    this.world.setBlocked(user, true);
  }

  /** The user unblocks the bot. */
  unblockBot(user: User): void {
    this.world.setBlocked(user, false);
  }

  /**
   * A person presses an inline button of a bot message. Emits `callback_query` with the message and
   * `chat_instance`.
   * @returns the callback query id (see {@link FakeBotApi.callbackAnswer})
   * @throws {ScenarioError} unless the message is a live bot message with a button carrying `data`
   */
  pressButton(chatId: ChatRef, messageId: number, user: User, data: string): string {
    const chat = this.anyChat(chatId);
    const record = this.world.liveMessage(chat, messageId);
    if (!record?.fromBot) throw new ScenarioError(`message ${messageId} is not a live bot message`);
    const keyboard = record.versions.at(-1)?.reply_markup?.inline_keyboard ?? [];
    const found = keyboard.some((row) =>
      row.some((button) => 'callback_data' in button && button.callback_data === data),
    );
    if (!found) throw new ScenarioError(`message ${messageId} has no button with callback_data "${data}"`);
    const sees =
      chat.type === 'private' ? chat.privateUser?.id === user.id : isInChat(this.world.state(chat, user.id));
    if (!sees) throw new ScenarioError(`${fullName(user)} cannot see message ${messageId}`);
    return this.world.pressButton(chat, record, user, data);
  }

  /** The bot's answer to a button press, once it answered. */
  callbackAnswer(
    callbackQueryId: string,
  ): { readonly text?: string; readonly show_alert?: boolean; readonly url?: string } | undefined {
    return this.world.callbackQueries.get(callbackQueryId)?.answer;
  }

  /**
   * A person asks to join through a link with `creates_join_request`. Emits `chat_join_request` (where the bot
   * has can_invite_users); the bot may then write to `user_chat_id` for five minutes.
   * @throws {ScenarioError} for unknown, revoked or expired links, links without approval, members and banned users
   */
  requestJoin(chatId: ChatRef, user: User, inviteLink: string): JoinRequestView {
    const chat = this.groupChat(chatId);
    if (chat.type !== 'supergroup') throw new ScenarioError('join requests need a supergroup');
    const link = this.findLink(chat, inviteLink);
    if (!link.createsJoinRequest)
      throw new ScenarioError('this link does not create join requests: use addMember()');
    const state = this.world.state(chat, user.id);
    if (state.status === 'kicked')
      throw new ScenarioError(`${fullName(user)} is banned from "${chat.title}"`);
    if (isInChat(state)) throw new ScenarioError(`${fullName(user)} is already in "${chat.title}"`);
    if (this.world.pendingRequest(chat, user.id))
      throw new ScenarioError(`${fullName(user)} already asked to join`);
    const request = this.world.requestJoin(chat, user, link);
    return {
      user,
      user_chat_id: user.id,
      date: request.date,
      invite_link: link.link,
      status: request.status,
    };
  }

  /**
   * Upgrades a basic group to a supergroup with a new id: the old group gets a `migrate_to_chat_id` message, the
   * new one `migrate_from_chat_id`; members, administrators and the bot move over; the old id then answers
   * `400 group chat was upgraded to a supergroup chat` with `parameters.migrate_to_chat_id`.
   * @param by who upgrades; default the group's creator
   */
  migrateToSupergroup(groupChatId: ChatRef, by?: User): Chat.SupergroupChat {
    const group = this.groupChat(groupChatId);
    if (group.type !== 'group') throw new ScenarioError(`"${group.title}" is not a basic group`);
    const actor =
      by ?? this.world.entries(group).find((e) => e.state.status === 'creator')?.user ?? this.world.botUser;
    const supergroup = chatJson(this.world.migrate(group, actor));
    if (supergroup.type !== 'supergroup') throw new Error('migration produced a non-supergroup');
    return supergroup;
  }

  // ================================================================== read side

  /** A chat's type, title, default permissions, migration links and member count. */
  chat(chatId: ChatRef): ChatView {
    const chat = this.anyChat(chatId);
    return {
      id: chat.id,
      type: chat.type,
      ...(chat.type !== 'private' && { title: chat.title }),
      ...(chat.username !== undefined && { username: chat.username }),
      permissions: { ...chat.permissions },
      ...(chat.migratedTo !== undefined && { migrated_to_chat_id: chat.migratedTo }),
      ...(chat.migratedFrom !== undefined && { migrated_from_chat_id: chat.migratedFrom }),
      member_count: this.world.entries(chat).filter((e) => isInChat(e.state)).length,
    };
  }

  /** A user's standing in a chat now (timed restrictions that ended are lifted). */
  member(chatId: ChatRef, user: User | number): MemberView {
    const chat = this.anyChat(chatId);
    const userId = typeof user === 'number' ? user : user.id;
    const known = this.world.user(userId);
    if (!known) throw new ScenarioError(`unknown user ${userId}`);
    const state = this.world.state(chat, userId);
    const base = { user: known, status: state.status, is_member: isInChat(state) };
    switch (state.status) {
      case 'administrator':
        return { ...base, rights: { ...state.rights } };
      case 'restricted':
        return { ...base, permissions: { ...state.permissions }, until_date: state.untilDate };
      case 'kicked':
        return { ...base, until_date: state.untilDate };
      default:
        return base;
    }
  }

  /** Every message of the chat in order, deleted ones included, with edit history. */
  messages(chatId: ChatRef): RecordedMessage[] {
    const chat = this.anyChat(chatId);
    return [...chat.messages.values()].map((record) => this.recorded(record));
  }

  /** Messages the bot sent to the chat and has not deleted. */
  botMessages(chatId: ChatRef): RecordedMessage[] {
    return this.messages(chatId).filter((m) => m.fromBot && !m.deleted && m.service === undefined);
  }

  /** The last message the bot sent to the chat (check `deleted` if it matters). */
  lastBotMessage(chatId: ChatRef): RecordedMessage | undefined {
    return this.messages(chatId)
      .filter((m) => m.fromBot && m.service === undefined)
      .at(-1);
  }

  /** The chat's invite links with how many joined through each. */
  inviteLinks(chatId: ChatRef): InviteLinkView[] {
    const chat = this.anyChat(chatId);
    return chat.inviteLinks.map((link) => ({ ...inviteLinkJson(chat, link), joined_count: link.joined }));
  }

  /** The chat's join requests and their outcome. */
  joinRequests(chatId: ChatRef): JoinRequestView[] {
    const chat = this.anyChat(chatId);
    return chat.joinRequests.map((r) => ({
      user: r.user,
      user_chat_id: r.user.id,
      date: r.date,
      invite_link: r.link.link,
      status: r.status,
    }));
  }

  /** The bot's command list for a scope and language, as getMyCommands would return it. */
  commands(scope?: BotCommandScope, languageCode = ''): BotCommand[] {
    const params = new ParamReader({ ...(scope && { scope }), language_code: languageCode });
    return [...(this.world.commands.get(commandsKey(this.world, params)) ?? [])];
  }

  /** Every call answered so far, in order of completion (a long poll is logged when it returns). */
  get calls(): readonly CallRecord[] {
    return this.callLog;
  }

  /** Calls of one method (canonical name, case-insensitive). */
  callsTo(method: string): CallRecord[] {
    const lower = method.toLowerCase();
    return this.callLog.filter((c) => c.method.toLowerCase() === lower);
  }

  /** Forgets the call log. */
  clearCalls(): void {
    this.callLog.length = 0;
  }

  /** Every webhook delivery attempt with the receiver's status. */
  get webhookDeliveries(): readonly WebhookDelivery[] {
    return this.webhook.deliveries;
  }

  /** Updates waiting for getUpdates or the webhook. */
  pendingUpdates(): WireUpdate[] {
    return this.updates.pending().map((q) => q.update);
  }

  /**
   * Counters since construction or {@link FakeBotApi.resetStats}: calls, failures, 429s by cause, injected faults
   * by kind and indeterminate ones by method, early retries, and update counts.
   * @example
   * const s = api.stats();
   * console.log(`faults ${JSON.stringify(s.faultsByKind)}, early retries ${s.earlyRetries.length}`);
   */
  stats(): Stats {
    return this.counters.snapshot(this.updates.heldBack().length);
  }

  /** Zeroes every counter of {@link FakeBotApi.stats} (the call log, queued faults and held updates stay). */
  resetStats(): void {
    this.counters.reset();
  }

  // ================================================================== faults

  /**
   * Makes the next matching call(s) fail with `fault`. A status fault answers before the method runs, so state does
   * not change; an indeterminate fault lets the method run and then loses its answer (5xx or a dropped
   * connection). `'*'` matches every method but getUpdates, setWebhook, deleteWebhook and getWebhookInfo (name them
   * explicitly to fail those).
   * @example api.fail('restrictChatMember', { status: 429, retryAfter: 3 }, { times: 2 })
   * @example api.fail('sendMessage', { indeterminate: 'timeout', holdMs: 50 }, { chatId: chat.id })
   */
  fail(method: string, fault: Fault, options?: FaultOptions): void {
    this.faults.add(method, fault, options);
  }

  /** Forgets queued faults. */
  clearFaults(): void {
    this.faults.clear();
  }

  /**
   * Probabilistic failures: each eligible call draws from a PRNG seeded with `seed`, so the same seed and the
   * same sequence of calls fail the same way. `null` turns chaos off.
   * @example api.chaos({ rate5xx: 0.1, rate429: 0.05, rateIndeterminate: 0.05, seed: 7 })
   */
  chaos(options: ChaosOptions | null): void {
    this.faults.setChaos(options);
  }

  /**
   * Puts a share (`rate`, 0–1) of new updates in the queue twice with the same update_id, as Telegram does
   * when it redelivers; seeded so a run can be repeated. The copy follows the original at once, or with `hold`
   * comes in a later batch. Null stops it (copies already held stay held).
   * @example api.duplicateUpdates({ rate: 0.05, seed: 1, hold: { afterUpdates: 20, afterMs: 2000 } })
   */
  duplicateUpdates(options: DuplicateOptions | null): void {
    this.updates.duplicate(
      options
        ? {
            rate: options.rate,
            random: mulberry32(options.seed),
            ...(options.hold && { hold: options.hold }),
          }
        : null,
    );
  }

  /**
   * Releases every held-back duplicate into the queue now, e.g. after restarting the bot: the copies reach its
   * next getUpdates whatever offset it sends (or go to the webhook).
   * @returns how many were released
   */
  redeliverHeld(): number {
    return this.updates.releaseHeld();
  }

  /** Duplicates held back for later delivery. */
  heldUpdates(): WireUpdate[] {
    return this.updates.heldBack().map((q) => q.update);
  }

  /** Updates created so far, and how many of them were queued twice by {@link FakeBotApi.duplicateUpdates}. */
  updateCounts(): { created: number; duplicated: number } {
    const { created, duplicated } = this.counters.updates;
    return { created, duplicated };
  }

  // ================================================================== internals

  private post(
    chat: ChatRecord,
    from: User,
    text: string,
    options: { readonly replyTo?: number; readonly entities?: readonly MessageEntity[] },
    senderChatId: number | undefined,
  ): Message {
    let content: { text: string; entities: readonly MessageEntity[] };
    try {
      content = formatText(text, '', options.entities, (id) => this.world.user(id));
    } catch (error) {
      if (error instanceof ApiError) throw new ScenarioError(`cannot send this text: ${error.description}`);
      throw error;
    }
    if (options.replyTo !== undefined && !this.world.liveMessage(chat, options.replyTo)) {
      throw new ScenarioError(`message ${options.replyTo} to reply to does not exist`);
    }
    const record = this.world.postMessage(chat, {
      from,
      ...(senderChatId !== undefined && { senderChatId }),
      content: { text: content.text, entities: content.entities, replyMarkup: undefined },
      ...(options.replyTo !== undefined && { replyToId: options.replyTo }),
    });
    return messageJson(this.world, record);
  }

  private anyChat(ref: ChatRef): ChatRecord {
    const chat = this.world.chat(refId(ref));
    if (!chat) throw new ScenarioError(`unknown chat ${refId(ref)}`);
    return chat;
  }

  private groupChat(ref: ChatRef): ChatRecord {
    const chat = this.anyChat(ref);
    if (chat.type === 'private') throw new ScenarioError(`chat ${chat.id} is a private chat`);
    if (chat.migratedTo !== undefined) {
      throw new ScenarioError(`"${chat.title}" was upgraded to supergroup ${chat.migratedTo}`);
    }
    return chat;
  }

  private findLink(chat: ChatRecord, inviteLink: string): InviteLinkRecord {
    const link = chat.inviteLinks.find((l) => l.link === inviteLink);
    if (!link) throw new ScenarioError(`"${inviteLink}" is not an invite link of "${chat.title}"`);
    const problem = this.world.linkProblem(link);
    if (problem) throw new ScenarioError(problem);
    return link;
  }

  private requireBy(by: User | undefined, helper: string): User {
    if (!by) throw new ScenarioError(`${helper}: "by" is required when someone adds the user`);
    return by;
  }

  // Members may add people when the chat allows inviting; only administrators may bring back a banned user.
  private assertCanInvite(chat: ChatRecord, by: User, targetBanned: boolean): void {
    const state = this.world.state(chat, by.id);
    const isAdmin =
      state.status === 'creator' || (state.status === 'administrator' && state.rights.can_invite_users);
    const allowed =
      isAdmin ||
      (!targetBanned &&
        ((state.status === 'member' && chat.permissions.can_invite_users) ||
          (state.status === 'restricted' && state.isMember && state.permissions.can_invite_users)));
    if (!allowed) throw new ScenarioError(`${fullName(by)} may not add people to "${chat.title}"`);
  }

  private whyMuted(chat: ChatRecord, user: User): string {
    const state = this.world.state(chat, user.id);
    switch (state.status) {
      case 'kicked':
        return 'banned';
      case 'left':
        return 'not a member';
      case 'restricted':
        if (!state.isMember) return 'not a member';
        return state.untilDate === 0
          ? 'restricted (read-only) forever'
          : `restricted (read-only) until ${new Date(state.untilDate * 1000).toISOString()}`;
      default:
        return 'the chat does not allow members to send messages';
    }
  }

  private recorded(record: MessageRecord): RecordedMessage {
    const senderChat = record.senderChatId === undefined ? undefined : this.world.chat(record.senderChatId);
    const current = record.versions.at(-1);
    return {
      message_id: record.messageId,
      chat_id: record.chatId,
      date: record.date,
      from: record.from,
      ...(senderChat && { sender_chat: chatJson(senderChat) }),
      ...(current && { text: current.text, entities: current.entities }),
      ...(current?.reply_markup && { reply_markup: current.reply_markup }),
      ...(record.replyToId !== undefined && { reply_to_message_id: record.replyToId }),
      ...(record.service && { service: record.service.kind }),
      ...(record.editDate !== undefined && { edit_date: record.editDate }),
      fromBot: record.fromBot,
      deleted: record.deleted,
      history: [...record.versions],
      raw: messageJson(this.world, record),
    };
  }
}

function refId(ref: ChatRef): number {
  return typeof ref === 'number' ? ref : ref.id;
}

function groupJson(chat: ChatRecord): Chat.GroupChat | Chat.SupergroupChat {
  const json = chatJson(chat);
  if (json.type !== 'group' && json.type !== 'supergroup') throw new Error(`chat ${chat.id} is not a group`);
  return json;
}
