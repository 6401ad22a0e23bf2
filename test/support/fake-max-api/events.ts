import type { FakeContext } from './context.js';
import type { WireUpdate } from './types.js';
import type { CallbackRecord, ChatRecord, MessageRecord } from './world.js';

/**
 * Builds the updates of the schema's `Update` inheritors and sends each one the bot is entitled to: in group
 * chats, `message_*` and `user_*` updates need the bot to be an admin with `read_all_messages`; the rest
 * reach it while it is a member (or concern its own membership).
 */
export class Events {
  constructor(private readonly ctx: FakeContext) {}

  messageCreated(record: MessageRecord): void {
    const chat = this.ctx.world.chatOf(record);
    if (!this.ctx.world.hearsChat(chat)) return;
    this.send('message_created', {
      message: this.ctx.wire.message(record),
      ...(chat.type === 'dialog' && { user_locale: this.locale(record.senderId) }),
    });
  }

  messageEdited(record: MessageRecord): void {
    if (!this.ctx.world.hearsChat(this.ctx.world.chatOf(record))) return;
    this.send('message_edited', { message: this.ctx.wire.message(record) });
  }

  messageRemoved(record: MessageRecord, byUserId: number): void {
    if (!this.ctx.world.hearsChat(this.ctx.world.chatOf(record))) return;
    this.send('message_removed', { message_id: record.mid, chat_id: record.chatId, user_id: byUserId });
  }

  /** `message` is null when the pressed message was deleted by the time the update was made. */
  callback(callback: CallbackRecord, record: MessageRecord): void {
    this.send('message_callback', {
      callback: {
        timestamp: callback.timestamp,
        callback_id: callback.callbackId,
        payload: callback.payload,
        user: this.ctx.wire.userById(callback.userId),
      },
      message: record.deleted ? null : this.ctx.wire.message(record),
      user_locale: this.locale(callback.userId),
    });
  }

  /** `inviter_id` is null for someone who came by link. */
  userAdded(chat: ChatRecord, userId: number, inviterId: number | null): void {
    if (!this.ctx.world.hearsChat(chat)) return;
    this.send('user_added', {
      chat_id: chat.id,
      user: this.ctx.wire.userById(userId),
      inviter_id: inviterId,
      is_channel: false,
    });
  }

  /** `admin_id` is null for someone who left. */
  userRemoved(chat: ChatRecord, userId: number, adminId: number | null): void {
    if (!this.ctx.world.hearsChat(chat)) return;
    this.send('user_removed', {
      chat_id: chat.id,
      user: this.ctx.wire.userById(userId),
      admin_id: adminId,
      is_channel: false,
    });
  }

  botAdded(chat: ChatRecord, byUserId: number): void {
    this.send('bot_added', { chat_id: chat.id, user: this.ctx.wire.userById(byUserId), is_channel: false });
  }

  botRemoved(chat: ChatRecord, byUserId: number): void {
    this.send('bot_removed', { chat_id: chat.id, user: this.ctx.wire.userById(byUserId), is_channel: false });
  }

  botStarted(dialog: ChatRecord, userId: number, payload: string | undefined): void {
    this.send('bot_started', {
      chat_id: dialog.id,
      user: this.ctx.wire.userById(userId),
      ...(payload !== undefined && { payload }),
      user_locale: this.locale(userId),
    });
  }

  botStopped(dialog: ChatRecord, userId: number): void {
    this.send('bot_stopped', {
      chat_id: dialog.id,
      user: this.ctx.wire.userById(userId),
      user_locale: this.locale(userId),
    });
  }

  titleChanged(chat: ChatRecord, byUserId: number): void {
    if (!this.ctx.world.botMember(chat)) return;
    this.send('chat_title_changed', {
      chat_id: chat.id,
      user: this.ctx.wire.userById(byUserId),
      title: chat.title,
    });
  }

  botPermissionsChanged(chat: ChatRecord, byUserId: number): void {
    const member = this.ctx.world.botMember(chat);
    if (!member) return;
    this.send('bot_admin_permissions_changed', {
      chat_id: chat.id,
      user_id: byUserId,
      bot_id: this.ctx.world.bot.id,
      is_channel: false,
      is_admin: member.isAdmin,
      permissions: member.isAdmin ? [...(member.permissions ?? [])] : null,
    });
  }

  private send(type: string, fields: Record<string, unknown>): void {
    const update: WireUpdate = { update_type: type, timestamp: this.ctx.world.now(), ...fields };
    this.ctx.emit(update);
  }

  private locale(userId: number): string {
    return this.ctx.world.user(userId)?.locale ?? 'ru';
  }
}
