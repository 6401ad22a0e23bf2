import http from 'node:http';
import https from 'node:https';
import { VK } from 'vk-io';
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
import {
  chatPeer,
  type DeleteItem,
  newRandomId,
  peerOf,
  type SendItem,
  userFromGroup,
  type VkGroup,
} from './api.js';
import { VkDirectory } from './directory.js';
import { fromVkCode, toMessengerError } from './errors.js';
import { keyboardJson } from './keyboard.js';
import { CHAT_PEER_OFFSET, decodePressId, isChatPeer } from './updates.js';

export { fitLabel } from './keyboard.js';

export interface VkOptions {
  /** A community access token with the `messages` right. */
  token: string;
  /** Default `https://api.vk.ru/method` (vk-io's); vk-io calls `<apiBaseUrl>/<method>`. */
  apiBaseUrl?: string;
  /** The community's id; read from the token (groups.getById) when not given, and checked when given. */
  groupId?: number;
  log: Logger;
  /** Per-call timeout (vk-io's `apiTimeout`). */
  timeoutMs?: number;
  /** Requests per second (VK allows 20 for a community token; vk-io's default is 3). */
  apiLimit?: number;
  /** Real time, for turning a mute's end into VK's `for` seconds. */
  now?: () => number;
}

/** The shortest timed restriction we send; the core lifts a shorter term on time anyway. */
const MIN_MUTE_SECONDS = 60;
/** VK shows at most 90 characters in a snackbar. */
const SNACKBAR_MAX = 90;

/**
 * The VK side of the messenger port, as a community (group) token through vk-io. Chat ids are peer_id
 * strings, message ids conversation_message_id strings. Every failure comes out as a {@link MessengerError};
 * calls go out at most `apiLimit` a second (vk-io's queue).
 */
export class VkMessenger implements Messenger {
  readonly platform = 'vk' as const;
  readonly capabilities: Capabilities = {
    // VK chats have no join requests a community could answer: links let people straight in.
    joinRequests: false,
    timedMute: true,
    timedBan: false, // VK only removes; nothing keeps a removed person out.
    messageLinks: false,
    // A community is an administrator of a chat or it is not; there are no separate rights to ask for.
    readOnly: 'native',
    rights: 'admin',
    // A VK chat has no default permissions a community could set: no quiet hours, no read-only chat.
    chatPermissions: false,
    revocableLinks: true,
  };
  readonly vk: VK;
  /** Members, admins, names and titles, read through this connector's calls. */
  readonly directory = new VkDirectory(
    (method, params) => this.call(method, params),
    () => this.groupId,
  );
  private me: UserInfo | undefined;
  private community: number | undefined;
  private readonly reachability = new Reachability();
  private readonly now: () => number;

  constructor(private readonly options: VkOptions) {
    const apiBaseUrl = options.apiBaseUrl ?? 'https://api.vk.ru/method';
    // vk-io's default agent is https-only; the fake (or a proxy) may be plain http. vk-io types the
    // option as an https.Agent, but node-fetch takes any agent.
    const agent = apiBaseUrl.startsWith('http:')
      ? (new http.Agent({ keepAlive: true, maxSockets: 64 }) as https.Agent)
      : new https.Agent({ keepAlive: true, keepAliveMsecs: 10_000, maxSockets: 64 });
    this.vk = new VK({
      token: options.token,
      apiBaseUrl,
      agent,
      apiLimit: options.apiLimit ?? 20,
      apiTimeout: options.timeoutMs ?? 15_000,
      // vk-io would retry a failed request 3 times, 3 s apart; the outbox retries with its own backoff.
      apiRetryLimit: 0,
      ...(options.groupId !== undefined ? { pollingGroupId: options.groupId } : {}),
    });
    this.now = options.now ?? Date.now;
  }

  get self(): UserInfo {
    if (!this.me) throw new Error('VkMessenger.init() has not run');
    return this.me;
  }

  /** The community's id (positive); it appears in chats as `-groupId`. */
  get groupId(): number {
    if (this.community === undefined) throw new Error('VkMessenger.init() has not run');
    return this.community;
  }

  /** Reads the token's community (groups.getById); call once before anything else. */
  async init(): Promise<UserInfo> {
    const answer = await this.call<{ groups: VkGroup[] }>('groups.getById', {});
    const group = answer.groups[0];
    if (!group) throw new MessengerError('UNAUTHORIZED', 'groups.getById: the token names no community');
    if (this.options.groupId !== undefined && this.options.groupId !== group.id) {
      throw new MessengerError(
        'UNAUTHORIZED',
        `the token belongs to community ${group.id}, not ${this.options.groupId}`,
      );
    }
    this.community = group.id;
    this.me = userFromGroup(group);
    return this.me;
  }

  /** Whether the VK API answers: false after a network or server failure, until a call succeeds again. */
  async reachable(): Promise<boolean> {
    return this.reachability.check(() => this.call('groups.getById', {}));
  }

  /** One API call through vk-io's paced queue, with our error codes. */
  async call<T = unknown>(method: string, params: Record<string, unknown>): Promise<T> {
    try {
      const result = (await this.vk.api.call(method, params)) as T;
      this.reachability.succeeded();
      return result;
    } catch (error) {
      const mapped = toMessengerError(error, method);
      this.reachability.failed(mapped);
      throw mapped;
    }
  }

  async send(chat: ChatAddress, text: string, options: SendOptions = {}): Promise<SentMessage> {
    const peerId = peerOf(chat);
    // peer_ids (communities only) makes VK answer the conversation_message_id; peer_id gives a message id,
    // which a community does not get for chat messages.
    const params: Record<string, unknown> = {
      peer_ids: peerId,
      random_id: newRandomId(),
      message: text,
      dont_parse_links: 1,
    };
    if (options.replyTo) {
      params.forward = JSON.stringify({
        peer_id: peerId,
        conversation_message_ids: [Number(options.replyTo)],
        is_reply: true,
      });
    }
    if (options.buttons && options.buttons.length > 0) params.keyboard = keyboardJson(options.buttons);
    // VK has no silent sending for bots; `silent` is dropped.
    let items: SendItem[] | number;
    try {
      items = await this.call<SendItem[] | number>('messages.send', params);
    } catch (error) {
      if (!(error instanceof MessengerError) || (error.code !== 'NETWORK' && error.code !== 'SERVER')) {
        throw error;
      }
      // The first try may have reached VK: the same random_id makes VK drop a repeat and answer the original.
      this.options.log.warn(
        { err: error, peerId },
        'messages.send failed; retrying once with the same random_id',
      );
      items = await this.call<SendItem[] | number>('messages.send', params);
    }
    // Not retryable: the message may be out, and another try would send it again.
    if (!Array.isArray(items)) throw new MessengerError('BAD_REQUEST', 'messages.send: no per-peer answer');
    const item = items.find((candidate) => candidate.peer_id === peerId) ?? items[0];
    if (!item) throw new MessengerError('BAD_REQUEST', 'messages.send: empty answer');
    if (item.error) throw fromVkCode(item.error.code, item.error.description ?? '', 'messages.send');
    return { messageId: String(item.conversation_message_id) };
  }

  async edit(chat: ChatAddress, messageId: string, text: string, buttons?: ButtonSpec[][]): Promise<void> {
    await this.call('messages.edit', {
      peer_id: peerOf(chat),
      conversation_message_id: Number(messageId),
      message: text,
      dont_parse_links: 1,
      // An empty keyboard removes the buttons, as editing without buttons does on Telegram.
      keyboard: keyboardJson(buttons),
    });
  }

  async delete(chat: ChatAddress, messageId: string): Promise<void> {
    const items = await this.call<DeleteItem[]>('messages.delete', {
      peer_id: peerOf(chat),
      cmids: Number(messageId),
      delete_for_all: 1,
    });
    const failed = items.find((item) => item.error)?.error;
    if (failed) throw fromVkCode(failed.code, failed.description ?? '', 'messages.delete');
  }

  private forSeconds(until: Date): number {
    return Math.max(Math.ceil((until.getTime() - this.now()) / 1000), MIN_MUTE_SECONDS);
  }

  /**
   * Read-only through messages.changeConversationMemberRestrictions (undocumented), then confirmed through
   * getConversationMembers' `is_restricted_to_write`. A refusal for rights comes out as
   * NOT_ENOUGH_RIGHTS, an administrator target as USER_IS_ADMIN, a departed one as USER_NOT_FOUND, and a
   * method that failed otherwise or did not take effect as NOT_SUPERGROUP ("this chat cannot restrict
   * members"), so the core falls back to removing the person.
   */
  async mute(chat: ChatAddress, userId: string, until?: Date): Promise<void> {
    const params: Record<string, unknown> = {
      peer_id: chatPeer(chat),
      member_ids: Number(userId),
      action: 'ro',
    };
    if (until) params.for = this.forSeconds(until);
    await this.restrict(chat, userId, params, true);
  }

  async unmute(chat: ChatAddress, userId: string): Promise<void> {
    await this.restrict(
      chat,
      userId,
      { peer_id: chatPeer(chat), member_ids: Number(userId), action: 'rw' },
      false,
    );
  }

  private async restrict(
    chat: ChatAddress,
    userId: string,
    params: Record<string, unknown>,
    readOnly: boolean,
  ): Promise<void> {
    const method = 'messages.changeConversationMemberRestrictions';
    let failedIds: number[] = [];
    try {
      const answer = await this.call<{ failed_member_ids?: number[] } | number>(method, params);
      if (typeof answer === 'object' && Array.isArray(answer.failed_member_ids)) {
        failedIds = answer.failed_member_ids;
      }
    } catch (error) {
      // Rights, a missing member, a busy server keep their codes; a method VK does not take is "cannot".
      if (error instanceof MessengerError && error.code === 'BAD_REQUEST') {
        throw new MessengerError('NOT_SUPERGROUP', `${error.message} (VK refused the restriction)`);
      }
      throw error;
    }
    const member = (await this.directory.members(chat)).items.find(
      (item) => String(item.member_id) === userId,
    );
    if (!member) throw new MessengerError('USER_NOT_FOUND', `${method}: ${userId} is not in the chat`);
    if (readOnly && (member.is_admin || member.is_owner)) {
      throw new MessengerError('USER_IS_ADMIN', `${method}: ${userId} is an administrator of the chat`);
    }
    if ((member.is_restricted_to_write === true) !== readOnly) {
      const failed = failedIds.some((id) => String(id) === userId) ? ' (listed as failed)' : '';
      throw new MessengerError(
        'NOT_SUPERGROUP',
        `${method}: VK did not ${readOnly ? 'restrict' : 'lift the restriction on'} ${userId}${failed}`,
      );
    }
  }

  /**
   * Removes the member (messages.removeChatUser). VK has no ban: they can come back through a link or
   * be added again, and `until` is ignored. Someone who is not in the chat is already where a ban puts them.
   */
  async ban(chat: ChatAddress, userId: string, _until?: Date): Promise<void> {
    try {
      await this.call('messages.removeChatUser', {
        chat_id: chatPeer(chat) - CHAT_PEER_OFFSET,
        member_id: Number(userId),
      });
    } catch (error) {
      if (error instanceof MessengerError && error.code === 'USER_NOT_FOUND') return;
      throw error;
    }
  }

  /** Nothing to lift: VK keeps no list of removed people. */
  async unban(_chat: ChatAddress, _userId: string): Promise<void> {}

  /** The chat's one invite link (it lets people straight in: VK has no join requests); name and expiry are ignored. */
  async createJoinRequestLink(chat: ChatAddress, _name: string, _expiresAt?: Date): Promise<InviteLink> {
    const answer = await this.call<{ link: string }>('messages.getInviteLink', {
      peer_id: chatPeer(chat),
      reset: 0,
    });
    return { url: answer.link };
  }

  /** Replaces the chat's link if `url` is still it (resetting revokes it); an older link is dead already. */
  async revokeLink(chat: ChatAddress, url: string): Promise<void> {
    const peerId = chatPeer(chat);
    const current = await this.call<{ link: string }>('messages.getInviteLink', {
      peer_id: peerId,
      reset: 0,
    });
    if (current.link !== url) return;
    await this.call('messages.getInviteLink', { peer_id: peerId, reset: 1 });
  }

  async approve(_chat: ChatAddress, _userId: string): Promise<void> {
    throw new MessengerError('BAD_REQUEST', 'VK has no join requests');
  }

  async decline(_chat: ChatAddress, _userId: string): Promise<void> {
    throw new MessengerError('BAD_REQUEST', 'VK has no join requests');
  }

  // No default permissions in VK chats (capabilities.chatPermissions is false): the core never asks.
  readChatPermissions = () => Promise.reject(new MessengerError('BAD_REQUEST', 'no chat permissions in VK'));
  setChatReadOnly = () => Promise.reject(new MessengerError('BAD_REQUEST', 'no chat permissions in VK'));

  async listAdmins(chat: ChatAddress): Promise<AdminInfo[]> {
    return this.directory.listAdmins(chat);
  }

  memberStatus(chat: ChatAddress, userId: string): Promise<MemberStatus> {
    return this.directory.memberStatus(chat, userId);
  }

  /** Whether the community is an administrator of the chat. */
  isChatAdmin(peerId: number): Promise<boolean> {
    return this.directory.isChatAdmin(peerId);
  }

  /** Answers a press (sendMessageEventAnswer); VK has only the snackbar, so `alert` shows the same way. */
  async answerButton(pressId: string, text?: string, _alert?: boolean): Promise<void> {
    const press = decodePressId(pressId);
    if (!press) throw new MessengerError('BAD_REQUEST', `not a VK press id: ${pressId}`);
    const params: Record<string, unknown> = {
      event_id: press.eventId,
      user_id: press.userId,
      peer_id: press.peerId,
    };
    if (text) {
      params.event_data = JSON.stringify({
        type: 'show_snackbar',
        text: [...text].slice(0, SNACKBAR_MAX).join(''),
      });
    }
    await this.call('messages.sendMessageEventAnswer', params);
  }

  /** VK has no per-chat command menus for communities. */
  async setCommandMenus(_menus: {
    language?: string;
    members: CommandMenuEntry[];
    moderators: CommandMenuEntry[];
    privateChats: CommandMenuEntry[];
  }): Promise<void> {}

  lookupUsers(ids: readonly number[]): Promise<Map<number, UserInfo>> {
    return this.directory.lookupUsers(ids);
  }

  lookupCommunities(ids: readonly number[]): Promise<Map<number, UserInfo>> {
    return this.directory.lookupCommunities(ids);
  }

  chatTitles(peerIds: readonly number[]): Promise<Map<number, string>> {
    return this.directory.chatTitles(peerIds);
  }

  isPrivateChat(chat: ChatAddress): boolean {
    return !isChatPeer(peerOf(chat));
  }

  /**
   * The community's messages (`vk.me/<community>`); VK carries `ref` to the first message's event, which
   * the bot does not read, so the person is greeted and told what to do from there.
   */
  startLink(payload: string): string {
    const name = this.self.username ?? `club${this.groupId}`;
    return `https://vk.me/${name}?ref=${payload}`;
  }

  /** VK has no links to a message in a chat. */
  messageLink(_chat: ChatAddress, _messageId: string): string | undefined {
    return undefined;
  }
}
