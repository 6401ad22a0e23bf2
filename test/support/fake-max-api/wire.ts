import type { MaxUser } from './types.js';
import type { ChatRecord, MemberRecord, MessageRecord, UserRecord, World } from './world.js';

/**
 * World records as the API sends them. Field names and presence follow the schema and the official Go
 * client's fixtures (`stabs/*.json`): absent optional fields are left out rather than sent as null.
 */
export class Wire {
  constructor(private readonly world: World) {}

  user(record: UserRecord): MaxUser {
    return {
      user_id: record.id,
      first_name: record.firstName,
      ...(record.lastName && { last_name: record.lastName }),
      name: `${record.firstName} ${record.lastName}`.trim(),
      username: record.username,
      is_bot: record.isBot,
      last_activity_time: this.world.now(),
    };
  }

  userById(id: number): MaxUser {
    const record = this.world.user(id);
    if (!record) throw new Error(`no user ${id}`);
    return this.user(record);
  }

  /** `ChatMember`: the user, plus membership; `permissions` is null for non-admins. */
  member(record: MemberRecord): Record<string, unknown> {
    return {
      ...this.userById(record.userId),
      last_access_time: record.joinTime,
      is_owner: record.isOwner,
      is_admin: record.isAdmin,
      join_time: record.joinTime,
      permissions: record.isAdmin ? [...(record.permissions ?? [])] : null,
    };
  }

  /** `Chat` as `GET /chats/{id}` returns it; owner and participants are shown to admins only. */
  chat(chat: ChatRecord): Record<string, unknown> {
    const botMember = this.world.botMember(chat);
    const status = chat.type === 'dialog' ? (chat.dialogStatus ?? 'active') : (chat.botGone ?? 'active');
    const forAdmin = botMember?.isAdmin === true;
    const base: Record<string, unknown> = {
      chat_id: chat.id,
      type: chat.type,
      status,
      title: chat.type === 'dialog' ? null : chat.title,
      icon: null,
      last_event_time: chat.lastEventTime,
      participants_count: chat.type === 'dialog' ? 2 : chat.members.size,
      is_public: chat.isPublic,
      link: chat.link,
      description: chat.description,
    };
    if (chat.type === 'dialog' && chat.dialogUserId !== undefined) {
      base.dialog_with_user = this.userById(chat.dialogUserId);
    } else {
      base.messages_count = chat.messages.filter((m) => !m.deleted).length;
    }
    if (forAdmin) {
      base.owner_id = chat.ownerId;
      base.participants = Object.fromEntries([...chat.members.values()].map((m) => [m.userId, m.joinTime]));
    }
    return base;
  }

  /** `MessageBody`. */
  body(record: MessageRecord): Record<string, unknown> {
    return {
      mid: record.mid,
      seq: record.seq,
      text: record.text,
      ...(record.attachments && { attachments: record.attachments }),
    };
  }

  /** `Message`: sender, recipient, timestamp, body, and the linked message for replies and forwards. */
  message(record: MessageRecord): Record<string, unknown> {
    const chat = this.world.chatOf(record);
    const recipient =
      chat.type === 'dialog'
        ? { chat_id: chat.id, chat_type: 'dialog', user_id: chat.dialogUserId }
        : { chat_id: chat.id, chat_type: 'chat' };
    const wire: Record<string, unknown> = {
      sender: this.userById(record.senderId),
      recipient,
      timestamp: record.timestamp,
      body: this.body(record),
    };
    if (record.link) {
      const linked = this.world.messagesByMid.get(record.link.mid);
      wire.link = {
        type: record.link.type,
        ...(linked && { sender: this.userById(linked.senderId), chat_id: linked.chatId }),
        message: linked ? this.body(linked) : { mid: record.link.mid, seq: 0, text: null },
      };
    }
    if (chat.isPublic && chat.link) wire.url = `${chat.link}/${record.seq}`;
    return wire;
  }
}
