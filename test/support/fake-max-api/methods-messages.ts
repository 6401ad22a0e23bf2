import { activeChat, type FakeContext, type Method, SUCCESS } from './context.js';
import { MAX_ERRORS } from './errors.js';
import { type NewMessage, readNewMessage } from './new-message.js';
import { type ChatRecord, isRecord, type MessageRecord } from './world.js';

/** `/messages` and `/answers`. */
export const MESSAGE_METHODS: Readonly<Record<string, Method>> = {
  /** Sends to `chat_id` (a group or a dialog) or `user_id` (the dialog with that person). */
  'POST /messages': (ctx, call) => {
    const message = readNewMessage(call.body);
    const chatId = call.query.int('chat_id');
    const userId = call.query.int('user_id');
    let chat: ChatRecord;
    if (chatId !== undefined) {
      chat = activeChat(ctx, chatId);
    } else if (userId !== undefined) {
      if (!ctx.world.user(userId)) throw MAX_ERRORS.notFound(`User ${userId} not found`);
      chat = ctx.world.dialogWith(userId);
    } else {
      throw MAX_ERRORS.payload('chat_id or user_id is required');
    }
    if (chat.type === 'dialog' && chat.dialogStatus !== 'active') {
      throw MAX_ERRORS.dialogSuspended(chat.dialogUserId ?? 0);
    }
    if (!message.text && !message.attachments?.length)
      throw MAX_ERRORS.payload('text or attachments required');
    if (message.link) {
      const target = liveMessage(ctx, message.link.mid);
      if (message.link.type === 'reply' && target.chatId !== chat.id) {
        throw MAX_ERRORS.payload('link: a reply must be to a message of the same chat');
      }
    }
    const record = ctx.world.post(chat, ctx.world.bot.id, message.text ?? null, {
      ...(message.link && { link: message.link }),
      attachments: message.attachments ?? null,
      ...(message.format && { format: message.format }),
    });
    return { message: ctx.wire.message(record) };
  },

  /** Edits the bot's own message: absent `text`/`attachments` stay, `attachments: []` removes them. */
  'PUT /messages': (ctx, call) => {
    const record = liveMessage(ctx, call.query.requireString('message_id'));
    const message = readNewMessage(call.body);
    editOwn(ctx, record, message);
    return SUCCESS;
  },

  /** Deletes the bot's own message, or another's in a group where the bot is an admin with `delete`. */
  'DELETE /messages': (ctx, call) => {
    const record = liveMessage(ctx, call.query.requireString('message_id'));
    const chat = ctx.world.chatOf(record);
    if (chat.type === 'chat') activeChat(ctx, chat.id);
    if (record.senderId !== ctx.world.bot.id) {
      if (chat.type === 'dialog' || !ctx.world.botMay(chat, 'delete')) {
        throw MAX_ERRORS.noRights('Not enough rights to delete message');
      }
    }
    if (!ctx.deletions.admit(String(chat.id))) {
      ctx.counters.deletionsThrottled += 1;
      throw MAX_ERRORS.tooMany();
    }
    record.deleted = true;
    record.deletedBy = ctx.world.bot.id;
    return SUCCESS;
  },

  'GET /messages': (ctx, call) => {
    const ids = call.query.list('message_ids');
    const count = Math.min(Math.max(call.query.int('count') ?? 50, 1), 100);
    if (ids) {
      const found = ids.map((mid) => ctx.world.messagesByMid.get(mid)).filter(visibleTo(ctx));
      return { messages: found.map((record) => ctx.wire.message(record)) };
    }
    const chat = activeChat(ctx, call.query.requireInt('chat_id'));
    const live = chat.messages
      .filter((record) => !record.deleted)
      .reverse()
      .slice(0, count);
    return { messages: live.map((record) => ctx.wire.message(record)) };
  },

  'GET /messages/{messageId}': (ctx, call) => {
    const mid = call.path.messageId ?? '';
    const record = liveMessage(ctx, mid);
    if (!visibleTo(ctx)(record)) throw MAX_ERRORS.notFound(`Message ${mid} not found`);
    return ctx.wire.message(record);
  },

  /** Answers a button press: a one-time `notification` to the presser and/or a new `message` in its place. */
  'POST /answers': (ctx, call) => {
    const callbackId = call.query.requireString('callback_id');
    const callback = ctx.world.callbacks.get(callbackId);
    if (!callback) throw MAX_ERRORS.notFound(`Callback ${callbackId} not found`);
    const body = isRecord(call.body) ? call.body : {};
    const notification = typeof body.notification === 'string' ? body.notification : undefined;
    const hasMessage = body.message !== undefined && body.message !== null;
    if (notification === undefined && !hasMessage) {
      throw MAX_ERRORS.payload('Either message or notification is required');
    }
    if (hasMessage) editOwn(ctx, liveMessage(ctx, callback.mid), readNewMessage(body.message));
    ctx.answers.push({
      callbackId,
      ...(notification !== undefined && { notification }),
      ...(hasMessage && { message: body.message }),
      at: ctx.world.now(),
    });
    return SUCCESS;
  },
};

function liveMessage(ctx: FakeContext, mid: string): MessageRecord {
  const record = ctx.world.messagesByMid.get(mid);
  if (!record || record.deleted) throw MAX_ERRORS.notFound(`Message ${mid} not found`);
  return record;
}

function editOwn(ctx: FakeContext, record: MessageRecord, message: NewMessage): void {
  if (record.senderId !== ctx.world.bot.id)
    throw MAX_ERRORS.noRights('Only the bot\u2019s own messages can be edited');
  const chat = ctx.world.chatOf(record);
  if (chat.type === 'chat') activeChat(ctx, chat.id);
  record.edits.push(record.text);
  if (message.text !== undefined) record.text = message.text;
  if (message.attachments !== undefined && message.attachments !== null) {
    record.attachments = message.attachments.length > 0 ? message.attachments : null;
  }
  if (message.format) record.format = message.format;
}

// The bot reads what reaches it: its dialogs, and groups it is in.
function visibleTo(ctx: FakeContext): (record: MessageRecord | undefined) => record is MessageRecord {
  return (record): record is MessageRecord => {
    if (!record || record.deleted) return false;
    const chat = ctx.world.chatOf(record);
    return chat.type === 'dialog' || ctx.world.botMember(chat) !== undefined;
  };
}
