/**
 * Fake VK API for the VK connector's tests: a community (bot) token's view of VK.
 *
 * - `index.ts`     FakeVkApi: lifecycle, call dispatch (token, rate limit, faults), scenario helpers, read side
 * - `world.ts`     the in-memory VK: people, chats, members, restrictions, messages, links, presses
 * - `methods.ts`   the API methods the connector uses, with VK's refusals
 * - `events.ts`    the event log and the Bots Long Poll server over it
 * - `callback.ts`  Callback API deliveries (confirmation, secret, retries until `ok`)
 * - `faults.ts`    queued faults and the 20 requests/second limit
 * - `http.ts`      the node:http front
 *
 * Sources: VKCOM/vk-api-schema (5.199) for methods, objects and error codes; vk-io 4.10.1 for how a client
 * calls (`POST {apiBaseUrl}/<method>`, form parameters with `access_token` and `v`). Where VK's behaviour
 * is undocumented the choice is marked in the code.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { CallbackDeliverer } from './callback.js';
import { ScenarioError, VK_ERRORS, VkApiError } from './errors.js';
import { EventLog } from './events.js';
import { FaultInjector, RateLimiter } from './faults.js';
import { HttpFront, type Outcome } from './http.js';
import { METHODS, Params } from './methods.js';
import {
  type CallbackDelivery,
  type CallRecord,
  CHAT_PEER_OFFSET,
  type ChatRef,
  type EventAnswer,
  type FakeVkApiOptions,
  type Fault,
  type FaultOptions,
  type MemberView,
  type MessageView,
  type PollRequest,
  type Stats,
  type VkUser,
  type WireEvent,
} from './types.js';
import { type ChatAction, type Conversation, type MessageRecord, World } from './world.js';

export { ScenarioError, VkApiError } from './errors.js';
export type * from './types.js';
export { API_VERSION, CHAT_PEER_OFFSET } from './types.js';

/** A chat: its peer_id, or what {@link FakeVkApi.createChat} returned. */
export type ChatLike = number | { readonly peerId: number };

/**
 * A stateful VK API server for tests. The connector talks to it over real HTTP through vk-io
 * (`new VK({ token: api.token, apiBaseUrl: api.apiBaseUrl })`); tests drive the people's side with scenario
 * helpers that emit the events VK would (`message_new` with chat actions, `message_event`), and assert on the
 * read side. Faults, a 20 requests/second limit (error 6) and the Callback API reproduce VK's failure modes.
 *
 * @example
 * const api = new FakeVkApi();
 * await api.start();
 * const teacher = api.createUser('Мария', 'Иванова');
 * const chat = api.createChat('8А', { owner: teacher });
 * api.addCommunity(chat, { admin: true }); // added by the owner
 */
export class FakeVkApi {
  readonly token: string;
  readonly groupId: number;
  /** What a Callback API server must answer the `confirmation` event with. */
  readonly confirmationCode = 'a1b2c3d4';
  private readonly world: World;
  private readonly eventLog = new EventLog();
  private readonly callback: CallbackDeliverer;
  private readonly faults = new FaultInjector();
  private readonly limiter: RateLimiter;
  private readonly http: HttpFront;
  private readonly callLog: CallRecord[] = [];
  private readonly answers: EventAnswer[] = [];
  private readonly counters = { tooManyRequests: 0, injectedFaults: 0 };
  private port: number | undefined;

  constructor(options: FakeVkApiOptions = {}) {
    this.token = options.token ?? 'vk1.a.test-token';
    this.groupId = options.groupId ?? 220_000_001;
    this.world = new World(
      this.groupId,
      { name: options.groupName ?? 'Модератор класса', screenName: options.screenName ?? 'class_moderator' },
      options.clock ?? (() => new Date()),
      (event) => this.eventLog.push(event),
    );
    this.limiter = new RateLimiter(options.requestsPerSecond ?? 20);
    this.callback = new CallbackDeliverer({
      groupId: this.groupId,
      retryDelayMs: options.callback?.retryDelayMs ?? 100,
      maxAttempts: options.callback?.maxAttempts ?? 5,
      timeoutMs: options.callback?.timeoutMs ?? 5000,
    });
    this.eventLog.onPush((event) => this.callback.enqueue(event));
    this.http = new HttpFront({
      method: (name, params, signal) => this.handle(name, params, signal),
      longPoll: async (query, signal) => ({
        kind: 'json',
        body: await this.eventLog.check(
          { key: query.get('key') ?? '', ts: query.get('ts') ?? '', wait: query.get('wait') ?? '0' },
          signal,
        ),
      }),
    });
  }

  // ================================================================== lifecycle

  /** Listens on 127.0.0.1 (a random port, or the one it had before a stop). */
  async start(): Promise<void> {
    this.port = await this.http.start(this.port ?? 0);
    this.callback.start();
  }

  /** Answers held long polls, stops Callback deliveries and closes every socket; state is kept. */
  async stop(): Promise<void> {
    this.eventLog.releaseAll();
    this.callback.stop();
    await this.http.stop();
  }

  /** `http://127.0.0.1:<port>/method`, for vk-io's `apiBaseUrl` (it appends `/<method>`). */
  get apiBaseUrl(): string {
    return `${this.origin}/method`;
  }

  get origin(): string {
    if (this.port === undefined) throw new Error('FakeVkApi is not started');
    return `http://127.0.0.1:${this.port}`;
  }

  /** The community as chats show it: member id `-groupId`. */
  get communityId(): number {
    return -this.groupId;
  }

  // ================================================================== people and chats

  /** Registers a person (ids count up from 100001). */
  createUser(firstName: string, lastName = '', options: { screenName?: string } = {}): VkUser {
    return this.world.createUser(firstName, lastName, options.screenName);
  }

  /** Creates a chat (peer_id 2000000001, 2000000002, …) with its owner as the first member. No events. */
  createChat(title: string, options: { owner?: VkUser } = {}): ChatRef {
    const chat = this.world.createChat(title);
    if (options.owner) this.world.join(chat, options.owner.id, options.owner.id, { owner: true });
    return chatRef(chat);
  }

  /**
   * A person joins: added by a member (`by`), through the invite link (`viaLink`: true, or the exact link
   * that must be the current one), or coming back on their own (neither). Emits `message_new` with
   * `chat_invite_user` (from the adder, `member_id` the newcomer) or `chat_invite_user_by_link` (from the
   * newcomer; VK documents `member_id` only for invites and kicks, so it is left out).
   * @returns the service message's conversation_message_id
   */
  addMember(
    chatLike: ChatLike,
    user: VkUser,
    options: { by?: VkUser; admin?: boolean; viaLink?: boolean | string } = {},
  ): number {
    const chat = this.world.requireChat(peerOf(chatLike));
    if (chat.members.has(user.id)) throw new ScenarioError(`${name(user)} is already in "${chat.title}"`);
    let action: ChatAction;
    let from: number;
    if (options.viaLink) {
      if (!chat.inviteLink) throw new ScenarioError(`"${chat.title}" has no invite link yet`);
      if (typeof options.viaLink === 'string' && options.viaLink !== chat.inviteLink) {
        throw new ScenarioError(`"${options.viaLink}" is not the current link of "${chat.title}" (revoked?)`);
      }
      action = { type: 'chat_invite_user_by_link' };
      from = user.id;
    } else {
      if (options.by && !chat.members.has(options.by.id)) {
        throw new ScenarioError(`${name(options.by)} is not in "${chat.title}"`);
      }
      from = options.by?.id ?? user.id;
      action = { type: 'chat_invite_user', member_id: user.id };
    }
    this.world.join(chat, user.id, from, { admin: options.admin === true });
    return this.serviceMessage(chat, from, action).cmid;
  }

  /** A member leaves (no `by`) or is removed by an administrator. Emits `chat_kick_user`. */
  removeMember(chatLike: ChatLike, user: VkUser, by?: VkUser): number {
    const chat = this.world.requireChat(peerOf(chatLike));
    if (!chat.members.has(user.id)) throw new ScenarioError(`${name(user)} is not in "${chat.title}"`);
    if (by && by.id !== user.id && !chat.members.get(by.id)?.isAdmin) {
      throw new ScenarioError(`${name(by)} is not an administrator of "${chat.title}"`);
    }
    const record = this.serviceMessage(chat, (by ?? user).id, { type: 'chat_kick_user', member_id: user.id });
    chat.members.delete(user.id);
    return record.cmid;
  }

  /**
   * A member (`by`, default the owner) adds the community (the bot) to the chat: `chat_invite_user` with
   * `member_id = -groupId`. It joins as a plain member unless `admin`.
   */
  addCommunity(chatLike: ChatLike, options: { by?: VkUser; admin?: boolean } = {}): number {
    const chat = this.world.requireChat(peerOf(chatLike));
    if (this.world.communityIn(chat)) throw new ScenarioError(`the community is already in "${chat.title}"`);
    const by = options.by?.id ?? [...chat.members.values()].find((member) => member.isOwner)?.memberId;
    if (by === undefined || !chat.members.has(by)) {
      throw new ScenarioError(`nobody in "${chat.title}" to add the community (give "by")`);
    }
    this.world.join(chat, this.world.self, by, { admin: options.admin === true });
    return this.serviceMessage(chat, by, { type: 'chat_invite_user', member_id: this.world.self }).cmid;
  }

  /** An administrator removes the community: `chat_kick_user` with `member_id = -groupId` (sent before it goes). */
  removeCommunity(chatLike: ChatLike, by: VkUser): void {
    const chat = this.world.requireChat(peerOf(chatLike));
    if (!this.world.communityIn(chat)) throw new ScenarioError(`the community is not in "${chat.title}"`);
    this.serviceMessage(chat, by.id, { type: 'chat_kick_user', member_id: this.world.self });
    chat.members.delete(this.world.self);
  }

  /** The owner makes the community an administrator of the chat, or takes it back. VK sends no event. */
  setCommunityAdmin(chatLike: ChatLike, admin: boolean): void {
    const chat = this.world.requireChat(peerOf(chatLike));
    const member = this.world.communityIn(chat);
    if (!member) throw new ScenarioError(`the community is not in "${chat.title}"`);
    member.isAdmin = admin;
  }

  /** Makes a member an administrator or takes it back. VK sends no event. */
  setAdmin(chatLike: ChatLike, user: VkUser, admin: boolean): void {
    const chat = this.world.requireChat(peerOf(chatLike));
    const member = chat.members.get(user.id);
    if (!member) throw new ScenarioError(`${name(user)} is not in "${chat.title}"`);
    if (member.isOwner) throw new ScenarioError('the owner is always an administrator');
    member.isAdmin = admin;
  }

  /** Renames the chat: `chat_title_update` with the new title in `action.text`. */
  renameChat(chatLike: ChatLike, title: string, by: VkUser): void {
    const chat = this.world.requireChat(peerOf(chatLike));
    chat.title = title;
    this.serviceMessage(chat, by.id, { type: 'chat_title_update', text: title });
  }

  /**
   * A member posts. Emits `message_new` (with `reply_message` for a reply).
   * @throws {ScenarioError} when they are not in the chat or are read-only
   * @returns the message's conversation_message_id
   */
  sendMessage(chatLike: ChatLike, user: VkUser, text: string, options: { replyTo?: number } = {}): number {
    const chat = this.world.requireChat(peerOf(chatLike));
    if (!chat.members.has(user.id)) throw new ScenarioError(`${name(user)} is not in "${chat.title}"`);
    const end = this.world.restrictionEnd(chat, user.id);
    if (end !== undefined) {
      throw new ScenarioError(
        `${name(user)} is read-only in "${chat.title}" ${end ? `until ${end.toISOString()}` : 'until lifted'}`,
      );
    }
    if (options.replyTo !== undefined) {
      const target = this.world.message(chat, options.replyTo);
      if (!target || target.deleted) throw new ScenarioError(`no message ${options.replyTo} to reply to`);
    }
    const record = this.world.post(chat, user.id, text, {
      ...(options.replyTo !== undefined && { replyTo: options.replyTo }),
    });
    this.emit(chat, record);
    return record.cmid;
  }

  /** A person writes to the community (peer_id = their id); they now allow its messages. */
  privateMessage(user: VkUser, text: string): number {
    this.world.requireUser(user.id);
    this.world.allowsMessages.add(user.id);
    const conversation = this.world.privateConversation(user.id);
    const record = this.world.post(conversation, user.id, text);
    this.world.emitMessageNew(conversation, record);
    return record.cmid;
  }

  /** A person allows messages from the community without writing (the "allow messages" button). */
  allowMessages(user: VkUser): void {
    this.world.allowsMessages.add(user.id);
  }

  /**
   * A person presses a callback button of a community message, found by its payload (the exact JSON
   * string sent) or its label. Emits `message_event` with the payload parsed, as VK delivers it.
   * @param conversationLike a chat, or a person's id for the community's private conversation with them
   * @returns the press's event_id
   */
  pressButton(
    conversationLike: ChatLike,
    cmid: number,
    user: VkUser,
    button: string | { label: string },
  ): string {
    const peerId = peerOf(conversationLike);
    const conversation = this.world.conversations.get(peerId);
    if (!conversation) throw new ScenarioError(`no conversation ${peerId}`);
    const sees = conversation.kind === 'chat' ? conversation.members.has(user.id) : peerId === user.id;
    if (!sees) throw new ScenarioError(`${name(user)} cannot see conversation ${peerId}`);
    const record = this.world.message(conversation, cmid);
    if (!record || record.deleted === 'for_all' || record.fromId !== this.world.self) {
      throw new ScenarioError(`message ${cmid} is not a live community message`);
    }
    const found = record.keyboard?.buttons
      .flat()
      .find(
        (candidate) =>
          candidate.type === 'callback' &&
          (typeof button === 'string' ? candidate.payload === button : candidate.label === button.label),
      );
    if (!found) throw new ScenarioError(`message ${cmid} has no callback button ${JSON.stringify(button)}`);
    return this.world.emitPress(
      conversation,
      record,
      user.id,
      found.payload ? JSON.parse(found.payload) : undefined,
    );
  }

  /** The Long Poll key stops working (`failed: 2`); a client must ask for a new one. */
  expireLongPollKey(): void {
    this.eventLog.expireKey();
  }

  /**
   * Adds a Callback API server: VK posts `confirmation` and expects {@link confirmationCode} back; only then
   * are events (from now on) delivered there.
   * @returns whether the server confirmed
   */
  setCallbackServer(url: string, options: { secret?: string } = {}): Promise<boolean> {
    return this.callback.setServer(url, this.confirmationCode, options.secret);
  }

  removeCallbackServer(): void {
    this.callback.removeServer();
  }

  /** Resolves when every queued Callback delivery was answered `ok` or given up. */
  callbackIdle(): Promise<void> {
    return this.callback.idle();
  }

  // ================================================================== read side

  members(chatLike: ChatLike): MemberView[] {
    const chat = this.world.requireChat(peerOf(chatLike));
    return [...chat.members.keys()].map((id) => this.memberView(chat, id));
  }

  /** A member's standing now (a timed restriction that ended is lifted), or undefined when not in the chat. */
  member(chatLike: ChatLike, user: VkUser | number): MemberView | undefined {
    const chat = this.world.requireChat(peerOf(chatLike));
    const id = typeof user === 'number' ? user : user.id;
    return chat.members.has(id) ? this.memberView(chat, id) : undefined;
  }

  /** A member's restriction even after they left: its end, `null` for until lifted, undefined for none. */
  restriction(chatLike: ChatLike, user: VkUser): Date | null | undefined {
    return this.world.restrictionEnd(this.world.requireChat(peerOf(chatLike)), user.id);
  }

  /** Every message of a chat or private conversation (peer_id = the person's id), deleted ones too. */
  messages(conversationLike: ChatLike): MessageView[] {
    const conversation = this.world.conversations.get(peerOf(conversationLike));
    return conversation ? conversation.messages.map(messageView) : [];
  }

  message(conversationLike: ChatLike, cmid: number): MessageView | undefined {
    return this.messages(conversationLike)[cmid - 1];
  }

  /** Messages the community sent there and has not deleted. */
  communityMessages(conversationLike: ChatLike): MessageView[] {
    return this.messages(conversationLike).filter(
      (m) => m.fromId === this.world.self && !m.deleted && m.action === undefined,
    );
  }

  inviteLink(chatLike: ChatLike): string | undefined {
    return this.world.requireChat(peerOf(chatLike)).inviteLink;
  }

  revokedLinks(chatLike: ChatLike): readonly string[] {
    return [...this.world.requireChat(peerOf(chatLike)).revokedLinks];
  }

  /** The community's answer to a button press, once given. */
  eventAnswer(eventId: string): EventAnswer | undefined {
    return this.answers.find((answer) => answer.eventId === eventId);
  }

  /** Every event VK sent the community, in order (Long Poll numbers them from 1). */
  get events(): readonly WireEvent[] {
    return this.eventLog.all;
  }

  get pollRequests(): readonly PollRequest[] {
    return this.eventLog.requests;
  }

  get callbackDeliveries(): readonly CallbackDelivery[] {
    return this.callback.deliveries;
  }

  /** Every API call in order of arrival (access_token left out). */
  get calls(): readonly CallRecord[] {
    return this.callLog;
  }

  callsTo(method: string): CallRecord[] {
    return this.callLog.filter((call) => call.method === method);
  }

  clearCalls(): void {
    this.callLog.length = 0;
  }

  stats(): Stats {
    return {
      calls: this.callLog.length,
      tooManyRequests: this.counters.tooManyRequests,
      injectedFaults: this.counters.injectedFaults,
      maxCallsPerSecond: this.limiter.maxPerSecond,
    };
  }

  // ================================================================== faults

  /**
   * The next matching call(s) fail with `fault` before the method runs (a `timeoutMs` fault runs it late).
   * `'*'` matches every API method.
   * @example api.fail('messages.send', { errorCode: 10, msg: 'Internal server error' }, { times: 2 })
   */
  fail(method: string, fault: Fault, options?: FaultOptions): void {
    this.faults.add(method, fault, options);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** Requests per second per token before error 6; `false` turns the limit off. */
  setRateLimit(perSecond: number | false): void {
    this.limiter.setLimit(perSecond);
  }

  // ================================================================== internals

  private async handle(method: string, raw: Record<string, string>, signal: AbortSignal): Promise<Outcome> {
    const arrivedAt = performance.now();
    const { access_token: token, ...params } = raw;
    const record = (extra: { errorCode?: number; status?: number } = {}): void => {
      this.callLog.push({ method, params, arrivedAt, ...extra });
    };
    const refuse = (error: VkApiError): Outcome => {
      record({ errorCode: error.code });
      return { kind: 'json', body: { error: errorJson(error, method, params) } };
    };
    if (token !== this.token) return refuse(VK_ERRORS.auth());
    if (!this.limiter.admit(token, arrivedAt)) {
      this.counters.tooManyRequests += 1;
      return refuse(VK_ERRORS.tooMany());
    }
    const fault = this.faults.take(method);
    if (fault) {
      this.counters.injectedFaults += 1;
      if ('errorCode' in fault)
        return refuse(new VkApiError(fault.errorCode, fault.msg ?? 'Injected failure'));
      if ('status' in fault) {
        record({ status: fault.status });
        return { kind: 'status', status: fault.status };
      }
      if ('response' in fault) {
        record();
        return { kind: 'json', body: { response: fault.response } };
      }
      // A client that gives up early does not stop VK: the call still runs when the delay is over.
      await sleep(fault.timeoutMs, undefined, { signal }).catch(() => undefined);
      if (fault.drop) {
        record({ status: 0 });
        return { kind: 'drop' };
      }
    }
    const run = METHODS[method];
    if (!run) return refuse(VK_ERRORS.method());
    try {
      const response = run(
        { world: this.world, events: this.eventLog, origin: this.origin, answers: this.answers },
        new Params(params),
      );
      record();
      return { kind: 'json', body: { response } };
    } catch (error) {
      if (error instanceof VkApiError) return refuse(error);
      throw error;
    }
  }

  private serviceMessage(chat: Conversation, from: number, action: ChatAction): MessageRecord {
    const record = this.world.post(chat, from, '', { action });
    this.emit(chat, record);
    return record;
  }

  // The community hears a chat only while it is a member.
  private emit(chat: Conversation, record: MessageRecord): void {
    if (this.world.communityIn(chat)) this.world.emitMessageNew(chat, record);
  }

  private memberView(chat: Conversation, id: number): MemberView {
    const member = chat.members.get(id);
    if (!member) throw new ScenarioError(`${id} is not in "${chat.title}"`);
    const end = this.world.restrictionEnd(chat, id);
    return {
      memberId: id,
      isAdmin: member.isAdmin,
      isOwner: member.isOwner,
      invitedBy: member.invitedBy,
      joinDate: member.joinDate,
      isRestrictedToWrite: end !== undefined,
      restrictedUntil: end,
    };
  }
}

function peerOf(chat: ChatLike): number {
  return typeof chat === 'number' ? chat : chat.peerId;
}

function chatRef(chat: Conversation): ChatRef {
  return { peerId: chat.peerId, chatId: chat.peerId - CHAT_PEER_OFFSET, title: chat.title };
}

function name(user: VkUser): string {
  return `${user.first_name} ${user.last_name}`.trim();
}

function messageView(record: MessageRecord): MessageView {
  return {
    cmid: record.cmid,
    peerId: record.peerId,
    fromId: record.fromId,
    text: record.text,
    date: record.date,
    edits: [...record.edits],
    deleted: record.deleted,
    ...(record.randomId !== undefined && { randomId: record.randomId }),
    ...(record.replyTo !== undefined && { replyTo: record.replyTo }),
    ...(record.action && { action: record.action }),
    ...(record.keyboard && { keyboard: record.keyboard }),
  };
}

/** VK echoes the call's parameters (without the token) with `method` and `oauth` first. */
function errorJson(
  error: VkApiError,
  method: string,
  params: Record<string, string>,
): Record<string, unknown> {
  return {
    error_code: error.code,
    error_msg: error.msg,
    request_params: [
      { key: 'method', value: method },
      { key: 'oauth', value: '1' },
      ...Object.entries(params).map(([key, value]) => ({ key, value })),
    ],
  };
}
