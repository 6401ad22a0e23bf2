import type { AdminInfo, ChatAddress, MemberStatus, UserInfo } from '../port.js';
import { MessengerError } from '../port.js';
import {
  chatPeer,
  MEMBERS_PAGE,
  type MembersPage,
  USERS_PER_CALL,
  userFromGroup,
  userFromProfile,
  type VkGroup,
  type VkProfile,
} from './api.js';
import { placeholderUser } from './updates.js';

type Call = <T = unknown>(method: string, params: Record<string, unknown>) => Promise<T>;

/** Who is in VK chats and what people and chats are called: the lookups VK events leave to the bot. */
export class VkDirectory {
  constructor(
    private readonly call: Call,
    private readonly groupId: () => number,
  ) {}

  /** Every member with names (getConversationMembers pages; the community must be a chat administrator). */
  async members(chat: ChatAddress): Promise<MembersPage> {
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

  /** Where a person stands in the chat: an owner, an administrator, read-only, a member, or gone. */
  async memberStatus(chat: ChatAddress, userId: string): Promise<MemberStatus> {
    const item = (await this.members(chat)).items.find((member) => String(member.member_id) === userId);
    if (!item) return 'left';
    if (item.is_owner) return 'creator';
    if (item.is_admin) return 'administrator';
    return item.is_restricted_to_write ? 'restricted' : 'member';
  }

  /** Whether the community is an administrator of the chat (getConversationMembers answers only then). */
  async isChatAdmin(peerId: number): Promise<boolean> {
    try {
      const page = await this.members({ platform: 'vk', platformChatId: String(peerId) });
      return page.items.some(
        (item) => item.member_id === -this.groupId() && (item.is_admin || item.is_owner),
      );
    } catch (error) {
      if (error instanceof MessengerError && error.code === 'NOT_ENOUGH_RIGHTS') return false;
      throw error;
    }
  }

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
}
