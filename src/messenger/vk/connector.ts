import { randomBytes } from 'node:crypto';
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
  Messenger,
  SendOptions,
  SentMessage,
  UserInfo,
} from '../port.js';
import { MessengerError } from '../port.js';
import { fromVkCode, type ItemError, toMessengerError } from './errors.js';
import { buttonPayload, CHAT_PEER_OFFSET, decodePressId, isChatPeer, placeholderUser } from './updates.js';

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
/** getConversationMembers pages. */
const MEMBERS_PAGE = 200;
/** VK shows at most 90 characters in a snackbar. */
const SNACKBAR_MAX = 90;
/** Lookups per users.get call. */
const USERS_PER_CALL = 1000;

interface SendItem {
  peer_id: number;
  message_id: number;
  conversation_message_id: number;
  error?: ItemError;
}

interface DeleteItem {
  conversation_message_id?: number;
  response?: number;
  error?: ItemError;
}

interface ConversationMember {
  member_id: number;
  is_admin?: boolean;
  is_owner?: boolean;
  can_kick?: boolean;
  is_restricted_to_write?: boolean;
}

interface VkProfile {
  id: number;
  first_name: string;
  last_name?: string;
  screen_name?: string;
  deactivated?: string;
}

interface VkGroup {
  id: number;
  name: string;
  screen_name?: string;
}

interface MembersPage {
  count: number;
  items: ConversationMember[];
  profiles?: VkProfile[];
  groups?: VkGroup[];
}

function userFromProfile(profile: VkProfile): UserInfo {
  const user: UserInfo = { userId: String(profile.id), firstName: profile.first_name, isBot: false };
  if (profile.last_name) user.lastName = profile.last_name;
  // VK gives everyone a screen_name; `id<number>` is the default, not a chosen handle.
  if (profile.screen_name && profile.screen_name !== `id${profile.id}`) user.username = profile.screen_name;
  return user;
}

function userFromGroup(group: VkGroup): UserInfo {
  const user: UserInfo = { userId: String(-group.id), firstName: group.name, isBot: true };
  if (group.screen_name) user.username = group.screen_name;
  return user;
}

function peerOf(chat: ChatAddress): number {
  return Number(chat.chatId);
}

function chatPeer(chat: ChatAddress): number {
  const peerId = peerOf(chat);
  if (!isChatPeer(peerId)) throw new MessengerError('BAD_REQUEST', `${chat.chatId} is not a VK chat`);
  return peerId;
}

/** VK refuses a button label over 40 characters: a longer one is cut at a word. */
export function fitLabel(text: string): string {
  const chars = [...text];
  if (chars.length <= 40) return text;
  const cut = chars.slice(0, 39).join('');
  const space = cut.lastIndexOf(' ');
  return `${(space > 20 ? cut.slice(0, space) : cut).replace(/[,;:\s]+$/, '')}…`;
}

/** VK's inline keyboard: callback buttons carry `{"d": data}`, URL buttons open the link. */
function keyboardJson(buttons: ButtonSpec[][] | undefined): string {
  return JSON.stringify({
    inline: true,
    buttons: (buttons ?? []).map((row) =>
      row.map((button) => ({
        action: button.url
          ? { type: 'open_link', link: button.url, label: fitLabel(button.text) }
          : { type: 'callback', label: fitLabel(button.text), payload: buttonPayload(button.data ?? '') },
      })),
    ),
  });
}

/** A random_id VK has not seen: 53 random bits (VK checks it over the community's message history). */
function newRandomId(): number {
  return Number(randomBytes(8).readBigUInt64BE() >> 11n) || 1;
}

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
    // VK only removes; nothing keeps a removed person out.
    timedBan: false,
    messageLinks: false,
    // A community is an administrator of a chat or it is not; there are no separate rights to ask for.
    rights: 'admin',
  };
  readonly vk: VK;
  private me: UserInfo | undefined;
  private community: number | undefined;
  private lastSuccessAt = 0;
  private unreachableSince: number | undefined;
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
    if (this.unreachableSince === undefined && Date.now() - this.lastSuccessAt < 60_000) return true;
    try {
      await this.call('groups.getById', {});
      return true;
    } catch {
      return false;
    }
  }

  /** One API call through vk-io's paced queue, with our error codes. */
  async call<T = unknown>(method: string, params: Record<string, unknown>): Promise<T> {
    try {
      const result = (await this.vk.api.call(method, params)) as T;
      this.lastSuccessAt = Date.now();
      this.unreachableSince = undefined;
      return result;
    } catch (error) {
      const mapped = toMessengerError(error, method);
      if (mapped.code === 'NETWORK' || mapped.code === 'SERVER') this.unreachableSince ??= Date.now();
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
    const member = (await this.members(chat)).items.find((item) => String(item.member_id) === userId);
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

  /** Every member with names (getConversationMembers pages; the community must be a chat administrator). */
  private async members(chat: ChatAddress): Promise<MembersPage> {
    const peerId = chatPeer(chat);
    const all: MembersPage = { count: 0, items: [], profiles: [], groups: [] };
    for (let offset = 0; ; offset += MEMBERS_PAGE) {
      const page = await this.call<MembersPage>('messages.getConversationMembers', {
        peer_id: peerId,
        offset,
        count: MEMBERS_PAGE,
        fields: 'screen_name',
      });
      all.count = page.count;
      all.items.push(...page.items);
      all.profiles?.push(...(page.profiles ?? []));
      all.groups?.push(...(page.groups ?? []));
      if (page.items.length === 0 || all.items.length >= page.count) return all;
    }
  }

  async listAdmins(chat: ChatAddress): Promise<AdminInfo[]> {
    const page = await this.members(chat);
    const profiles = new Map((page.profiles ?? []).map((profile) => [profile.id, userFromProfile(profile)]));
    const groups = new Map((page.groups ?? []).map((group) => [-group.id, userFromGroup(group)]));
    return page.items
      .filter((item) => item.is_admin || item.is_owner)
      .map((item) => ({
        user: profiles.get(item.member_id) ?? groups.get(item.member_id) ?? placeholderUser(item.member_id),
        status: item.is_owner ? 'creator' : 'administrator',
        isAnonymous: false,
        // VK chat administrators may remove members, delete messages and manage the link.
        canRestrictMembers: true,
        canDeleteMessages: true,
        canInviteUsers: true,
      }));
  }

  /** Whether the community is an administrator of the chat (getConversationMembers answers only then). */
  async isChatAdmin(peerId: number): Promise<boolean> {
    try {
      const page = await this.members({ platform: 'vk', chatId: String(peerId) });
      return page.items.some((item) => item.member_id === -this.groupId && (item.is_admin || item.is_owner));
    } catch (error) {
      if (error instanceof MessengerError && error.code === 'NOT_ENOUGH_RIGHTS') return false;
      throw error;
    }
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

  /** People by id (users.get); an id VK does not know is left out. */
  async lookupUsers(ids: readonly number[]): Promise<Map<number, UserInfo>> {
    const found = new Map<number, UserInfo>();
    const people = [...new Set(ids.filter((id) => id > 0))];
    for (let start = 0; start < people.length; start += USERS_PER_CALL) {
      const profiles = await this.call<VkProfile[]>('users.get', {
        user_ids: people.slice(start, start + USERS_PER_CALL).join(','),
        fields: 'screen_name',
      });
      for (const profile of profiles) found.set(profile.id, userFromProfile(profile));
    }
    return found;
  }

  /** Communities (other bots in a chat) by their negative ids (groups.getById). */
  async lookupCommunities(ids: readonly number[]): Promise<Map<number, UserInfo>> {
    const found = new Map<number, UserInfo>();
    const groups = [...new Set(ids.filter((id) => id < 0).map((id) => -id))];
    if (groups.length === 0) return found;
    const answer = await this.call<{ groups: VkGroup[] }>('groups.getById', { group_ids: groups.join(',') });
    for (const group of answer.groups) found.set(-group.id, userFromGroup(group));
    return found;
  }

  /** Titles of chats the community is in (messages.getConversationsById). */
  async chatTitles(peerIds: readonly number[]): Promise<Map<number, string>> {
    const titles = new Map<number, string>();
    if (peerIds.length === 0) return titles;
    const answer = await this.call<{
      items: Array<{ peer: { id: number }; chat_settings?: { title?: string } }>;
    }>('messages.getConversationsById', { peer_ids: peerIds.join(',') });
    for (const item of answer.items) {
      if (typeof item.chat_settings?.title === 'string') titles.set(item.peer.id, item.chat_settings.title);
    }
    return titles;
  }

  isPrivateChat(chat: ChatAddress): boolean {
    return !isChatPeer(peerOf(chat));
  }

  /** VK has no links to a message in a chat. */
  messageLink(_chat: ChatAddress, _messageId: string): string | undefined {
    return undefined;
  }
}
