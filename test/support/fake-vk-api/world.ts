import { randomBytes } from 'node:crypto';
import { ScenarioError } from './errors.js';
import { API_VERSION, CHAT_PEER_OFFSET, type KeyboardButton, type VkUser, type WireEvent } from './types.js';

/** A service message's `action` (joins, kicks, renames). */
export interface ChatAction {
  readonly type: string;
  readonly member_id?: number;
  readonly text?: string;
}

export interface MemberRecord {
  readonly memberId: number;
  isAdmin: boolean;
  isOwner: boolean;
  readonly invitedBy: number;
  readonly joinDate: number;
}

export interface MessageRecord {
  readonly cmid: number;
  readonly peerId: number;
  readonly fromId: number;
  /** Global message id; VK shows 0 for a community's view of chat messages. */
  readonly id: number;
  text: string;
  readonly date: number;
  readonly randomId?: number;
  readonly replyTo?: number;
  readonly action?: ChatAction;
  keyboard?: { inline: boolean; buttons: KeyboardButton[][] };
  readonly edits: string[];
  deleted: 'for_all' | 'for_community' | false;
}

export interface Conversation {
  readonly peerId: number;
  readonly kind: 'chat' | 'private';
  title: string;
  readonly members: Map<number, MemberRecord>;
  /** Write restrictions by member: end in unix seconds, or null until lifted. Kept across leaving. */
  readonly restrictions: Map<number, number | null>;
  readonly messages: MessageRecord[];
  inviteLink: string | undefined;
  readonly revokedLinks: string[];
}

export interface PressRecord {
  readonly eventId: string;
  readonly userId: number;
  readonly peerId: number;
  readonly cmid: number;
  readonly at: number;
  answered: boolean;
}

/** What VK tells a bot about the client in `message_new` (API 5.103+). */
const CLIENT_INFO = {
  button_actions: ['text', 'vkpay', 'open_app', 'location', 'open_link', 'callback', 'intent_subscribe'],
  keyboard: true,
  inline_keyboard: true,
  carousel: true,
  lang_id: 0,
};

/**
 * The in-memory VK: people, chats with their members, restrictions, messages and invite link, private
 * conversations, the community's state, and the events it is sent. Rules only; the API methods and the
 * scenario helpers decide who may do what.
 */
export class World {
  readonly users = new Map<number, VkUser>();
  readonly conversations = new Map<number, Conversation>();
  /** People who allow messages from the community (they wrote to it or pressed "allow"). */
  readonly allowsMessages = new Set<number>();
  /** `peer:random_id` of messages.send → the message it produced (VK drops a repeated random_id). */
  readonly randomIds = new Map<string, MessageRecord>();
  readonly presses = new Map<string, PressRecord>();
  private nextUserId = 100_001;
  private nextChatId = 1;
  private nextGlobalId = 1;

  constructor(
    readonly groupId: number,
    readonly group: { readonly name: string; readonly screenName: string },
    readonly clock: () => Date,
    private readonly sink: (event: WireEvent) => void,
  ) {}

  /** The community as a chat member. */
  get self(): number {
    return -this.groupId;
  }

  nowSeconds(): number {
    return Math.floor(this.clock().getTime() / 1000);
  }

  createUser(first: string, last: string, screenName?: string): VkUser {
    const id = this.nextUserId++;
    const user: VkUser = {
      id,
      first_name: first,
      last_name: last,
      ...(screenName && { screen_name: screenName }),
    };
    this.users.set(id, user);
    return user;
  }

  createChat(title: string): Conversation {
    const peerId = CHAT_PEER_OFFSET + this.nextChatId++;
    const chat: Conversation = {
      peerId,
      kind: 'chat',
      title,
      members: new Map(),
      restrictions: new Map(),
      messages: [],
      inviteLink: undefined,
      revokedLinks: [],
    };
    this.conversations.set(peerId, chat);
    return chat;
  }

  /** The chat with `peerId`, or undefined (private conversations are not chats). */
  chat(peerId: number): Conversation | undefined {
    const conversation = this.conversations.get(peerId);
    return conversation?.kind === 'chat' ? conversation : undefined;
  }

  /** The community's conversation with a person, created on first use. */
  privateConversation(userId: number): Conversation {
    let conversation = this.conversations.get(userId);
    if (!conversation) {
      conversation = {
        peerId: userId,
        kind: 'private',
        title: '',
        members: new Map(),
        restrictions: new Map(),
        messages: [],
        inviteLink: undefined,
        revokedLinks: [],
      };
      this.conversations.set(userId, conversation);
    }
    return conversation;
  }

  requireChat(peerId: number): Conversation {
    const chat = this.chat(peerId);
    if (!chat) throw new ScenarioError(`no chat ${peerId}`);
    return chat;
  }

  requireUser(id: number): VkUser {
    const user = this.users.get(id);
    if (!user) throw new ScenarioError(`no user ${id}`);
    return user;
  }

  join(
    chat: Conversation,
    memberId: number,
    invitedBy: number,
    role: { admin?: boolean; owner?: boolean } = {},
  ): void {
    chat.members.set(memberId, {
      memberId,
      isAdmin: role.admin === true || role.owner === true,
      isOwner: role.owner === true,
      invitedBy,
      joinDate: this.nowSeconds(),
    });
  }

  /** Whether the member may not write now; a timed restriction that ended is lifted here. */
  isRestricted(chat: Conversation, memberId: number): boolean {
    if (!chat.restrictions.has(memberId)) return false;
    const until = chat.restrictions.get(memberId);
    if (until === null || until === undefined) return true;
    if (until > this.nowSeconds()) return true;
    chat.restrictions.delete(memberId);
    return false;
  }

  /** The end of a member's restriction as a Date, null for "until lifted", undefined when free. */
  restrictionEnd(chat: Conversation, memberId: number): Date | null | undefined {
    if (!this.isRestricted(chat, memberId)) return undefined;
    const until = chat.restrictions.get(memberId);
    return until === null || until === undefined ? null : new Date(until * 1000);
  }

  communityIn(chat: Conversation): MemberRecord | undefined {
    return chat.members.get(this.self);
  }

  communityIsAdmin(chat: Conversation): boolean {
    return this.communityIn(chat)?.isAdmin === true;
  }

  /** Adds a message to a conversation with the next conversation_message_id. */
  post(
    conversation: Conversation,
    fromId: number,
    text: string,
    extra: {
      randomId?: number;
      replyTo?: number;
      action?: ChatAction;
      keyboard?: { inline: boolean; buttons: KeyboardButton[][] };
    } = {},
  ): MessageRecord {
    const record: MessageRecord = {
      cmid: conversation.messages.length + 1,
      peerId: conversation.peerId,
      fromId,
      id: conversation.kind === 'private' ? this.nextGlobalId++ : 0,
      text,
      date: this.nowSeconds(),
      edits: [],
      deleted: false,
      ...(extra.randomId !== undefined && { randomId: extra.randomId }),
      ...(extra.replyTo !== undefined && { replyTo: extra.replyTo }),
      ...(extra.action && { action: extra.action }),
      ...(extra.keyboard && { keyboard: extra.keyboard }),
    };
    conversation.messages.push(record);
    return record;
  }

  message(conversation: Conversation, cmid: number): MessageRecord | undefined {
    return conversation.messages[cmid - 1];
  }

  /** Sends `message_new` for a message the community can see. */
  emitMessageNew(conversation: Conversation, record: MessageRecord): void {
    this.emit('message_new', { message: this.messageJson(conversation, record), client_info: CLIENT_INFO });
  }

  /** Sends `message_event` for a callback button press; returns the press's event_id. */
  emitPress(chat: Conversation, record: MessageRecord, userId: number, payload: unknown): string {
    const eventId = randomBytes(6).toString('hex');
    this.presses.set(eventId, {
      eventId,
      userId,
      peerId: chat.peerId,
      cmid: record.cmid,
      at: this.clock().getTime(),
      answered: false,
    });
    this.emit('message_event', {
      user_id: userId,
      peer_id: chat.peerId,
      event_id: eventId,
      payload,
      conversation_message_id: record.cmid,
    });
    return eventId;
  }

  /** A new link for the chat, revoking the old one. */
  resetInviteLink(chat: Conversation): string {
    if (chat.inviteLink) chat.revokedLinks.push(chat.inviteLink);
    chat.inviteLink = `https://vk.me/join/${randomBytes(18).toString('base64url')}`;
    return chat.inviteLink;
  }

  messageJson(conversation: Conversation, record: MessageRecord): Record<string, unknown> {
    const reply = record.replyTo === undefined ? undefined : this.message(conversation, record.replyTo);
    return {
      date: record.date,
      from_id: record.fromId,
      id: record.id,
      out: record.fromId === this.self ? 1 : 0,
      version: record.cmid,
      attachments: [],
      conversation_message_id: record.cmid,
      fwd_messages: [],
      important: false,
      is_hidden: false,
      peer_id: record.peerId,
      random_id: 0,
      text: record.text,
      ...(record.action && { action: record.action }),
      ...(reply && {
        reply_message: {
          date: reply.date,
          from_id: reply.fromId,
          text: reply.text,
          attachments: [],
          conversation_message_id: reply.cmid,
          peer_id: reply.peerId,
          id: reply.id,
        },
      }),
    };
  }

  private emit(type: string, object: Record<string, unknown>): void {
    this.sink({
      type,
      object,
      group_id: this.groupId,
      event_id: randomBytes(20).toString('hex'),
      v: API_VERSION,
    });
  }
}
