import { randomBytes } from 'node:crypto';
import type { ChatAddress, UserInfo } from '../port.js';
import { MessengerError } from '../port.js';
import type { ItemError } from './errors.js';
import { isChatPeer } from './updates.js';

/** What the VK API answers, as the connector reads it, and the conversions to the port's types. */

/** getConversationMembers pages. */
export const MEMBERS_PAGE = 200;
/** Lookups per users.get call. */
export const USERS_PER_CALL = 1000;

export interface SendItem {
  peer_id: number;
  message_id: number;
  conversation_message_id: number;
  error?: ItemError;
}

export interface DeleteItem {
  conversation_message_id?: number;
  response?: number;
  error?: ItemError;
}

export interface ConversationMember {
  member_id: number;
  is_admin?: boolean;
  is_owner?: boolean;
  can_kick?: boolean;
  is_restricted_to_write?: boolean;
}

export interface VkProfile {
  id: number;
  first_name: string;
  last_name?: string;
  screen_name?: string;
  deactivated?: string;
}

export interface VkGroup {
  id: number;
  name: string;
  screen_name?: string;
}

export interface MembersPage {
  count: number;
  items: ConversationMember[];
  profiles?: VkProfile[];
  groups?: VkGroup[];
}

export function userFromProfile(profile: VkProfile): UserInfo {
  const user: UserInfo = { userId: String(profile.id), firstName: profile.first_name, isBot: false };
  if (profile.last_name) user.lastName = profile.last_name;
  // VK gives everyone a screen_name; `id<number>` is the default, not a chosen handle.
  if (profile.screen_name && profile.screen_name !== `id${profile.id}`) user.username = profile.screen_name;
  return user;
}

export function userFromGroup(group: VkGroup): UserInfo {
  const user: UserInfo = { userId: String(-group.id), firstName: group.name, isBot: true };
  if (group.screen_name) user.username = group.screen_name;
  return user;
}

export function peerOf(chat: ChatAddress): number {
  return Number(chat.platformChatId);
}

export function chatPeer(chat: ChatAddress): number {
  const peerId = peerOf(chat);
  if (!isChatPeer(peerId)) throw new MessengerError('BAD_REQUEST', `${chat.platformChatId} is not a VK chat`);
  return peerId;
}

/** A random_id VK has not seen: 53 random bits (VK checks it over the community's message history). */
export function newRandomId(): number {
  return Number(randomBytes(8).readBigUInt64BE() >> 11n) || 1;
}
