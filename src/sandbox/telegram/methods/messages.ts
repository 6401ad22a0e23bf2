import type { InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions } from 'telegraf/types';
import { badRequest } from '../errors.js';
import { type FormattedText, formatText, MAX_TEXT_LENGTH } from '../formatting.js';
import type { ChatRecord, MessageRecord } from '../model.js';
import type { ParamReader } from '../params.js';
import { messageJson } from '../serialize.js';
import type { World } from '../world.js';
import { accessChat, assertBotMaySend, type MethodHandler, requireMessage } from './context.js';

const NOT_MODIFIED =
  'message is not modified: specified new message content and reply markup are exactly the same as a current ' +
  'content and reply markup of the message';

const CHAT_ACTIONS = new Set([
  'typing',
  'upload_photo',
  'record_video',
  'upload_video',
  'record_voice',
  'upload_voice',
  'upload_document',
  'choose_sticker',
  'find_location',
  'record_video_note',
  'upload_video_note',
]);

/** sendMessage: text with parse_mode/entities, inline keyboard, replies, link preview options. */
export const sendMessage: MethodHandler = (p, { world }) => {
  const content = readText(world, p);
  const replyMarkup = readReplyMarkup(p);
  const linkPreviewOptions = readLinkPreview(p);
  const chat = accessChat(world, p.chatId(), 'write');
  const replyToId = readReplyTarget(world, chat, p);
  assertBotMaySend(world, chat);
  if (content.text.length > MAX_TEXT_LENGTH) throw badRequest('Message is too long');
  const record = world.postMessage(chat, {
    from: world.botUser,
    fromBot: true,
    content: { text: content.text, entities: content.entities, replyMarkup },
    ...(replyToId !== undefined && { replyToId }),
    protectContent: p.bool('protect_content'),
    ...(linkPreviewOptions && { linkPreviewOptions }),
  });
  return messageJson(world, record);
};

/** sendDocument: a file uploaded in a multipart body (the fake keeps its name and text in the call log). */
export const sendDocument: MethodHandler = (p, { world }) => {
  const chat = accessChat(world, p.chatId(), 'write');
  const document = p.string('document');
  if (document === '') throw badRequest('there is no document in the request');
  const caption = p.string('caption');
  if (caption.length > 1024) throw badRequest('message caption is too long');
  assertBotMaySend(world, chat);
  const record = world.postMessage(chat, {
    from: world.botUser,
    fromBot: true,
    content: {
      text: caption || `📎 ${p.string('document.filename') || 'document'}`,
      entities: [],
      replyMarkup: undefined,
    },
    protectContent: p.bool('protect_content'),
  });
  return messageJson(world, record);
};

/** editMessageText: the bot's own text messages; omitting reply_markup removes the keyboard, as on Telegram. */
export const editMessageText: MethodHandler = (p, { world }) => {
  const content = readText(world, p);
  const replyMarkup = readReplyMarkup(p);
  const record = editableMessage(world, p);
  if (content.text.length > MAX_TEXT_LENGTH) throw badRequest('Message is too long');
  return edit(world, record, content, replyMarkup);
};

/** editMessageReplyMarkup: replaces (or, when absent, removes) the inline keyboard. */
export const editMessageReplyMarkup: MethodHandler = (p, { world }) => {
  const replyMarkup = readReplyMarkup(p);
  const record = editableMessage(world, p);
  const current = record.versions.at(-1);
  if (!current) throw badRequest("Message can't be edited");
  return edit(world, record, current, replyMarkup);
};

/** deleteMessage: TDLib's can_delete / can_revoke rules, including the bots' 48-hour limit. */
export const deleteMessage: MethodHandler = (p, { world }) => {
  const ref = p.string('chat_id').trim();
  const messageId = p.int('message_id');
  if (ref === '') throw badRequest('Chat identifier is not specified');
  if (messageId === 0) throw badRequest('Message identifier is not specified');
  const chat = accessChat(world, ref, 'write');
  const record = requireMessage(world, chat, messageId, 'message to delete');
  assertDeletable(world, chat, record);
  record.deleted = true;
  return true;
};

/** deleteMessages: 1–100 ids; missing ones are skipped, but one undeletable message fails the call. */
export const deleteMessages: MethodHandler = (p, { world }) => {
  const ids = p.json('message_ids', 'message identifiers');
  if (ids === undefined) throw badRequest('Message identifiers are not specified');
  if (!Array.isArray(ids)) throw badRequest('Expected an Array of message identifiers');
  if (ids.length > 100) throw badRequest('Too many message identifiers specified');
  if (ids.length === 0) throw badRequest('Message identifiers are not specified');
  const chat = accessChat(world, p.chatId(), 'write');
  const records: MessageRecord[] = [];
  for (const id of ids) {
    if (typeof id !== 'number' && typeof id !== 'string')
      throw badRequest('Message identifier must be a Number');
    const record = world.liveMessage(chat, Number(id));
    if (record) records.push(record);
  }
  for (const record of records) assertDeletable(world, chat, record);
  for (const record of records) record.deleted = true;
  return true;
};

/** sendChatAction: validated and otherwise a no-op. */
export const sendChatAction: MethodHandler = (p, { world }) => {
  if (!CHAT_ACTIONS.has(p.string('action'))) throw badRequest('Wrong parameter action in request');
  const chat = accessChat(world, p.chatId(), 'write');
  assertBotMaySend(world, chat);
  return true;
};

/**
 * answerCallbackQuery: records the answer. Unknown or already answered ids, and presses older than
 * `refusals.callbackQuerySeconds` by the clock, fail with the text telegram-bot-api gives for the server's
 * QUERY_ID_INVALID (Client.cpp, fail_query_with_error): "query is too old and response timeout expired or query ID
 * is invalid". Telegram documents no window; bots report about 15 s.
 */
export const answerCallbackQuery: MethodHandler = (p, { world }) => {
  const query = world.callbackQueries.get(p.string('callback_query_id'));
  const tooOld =
    query !== undefined && world.nowMs() - query.pressedAtMs > world.refusals.callbackQuerySeconds * 1000;
  if (!query || query.answer || tooOld) {
    throw badRequest('query is too old and response timeout expired or query ID is invalid');
  }
  query.answer = {
    ...(p.has('text') && { text: p.string('text') }),
    ...(p.has('show_alert') && { show_alert: p.bool('show_alert') }),
    ...(p.has('url') && { url: p.string('url') }),
    ...(p.has('cache_time') && { cache_time: p.clampedInt('cache_time', 0, 0, 30 * 86400) }),
  };
  return true;
};

function readText(world: World, p: ParamReader): FormattedText {
  const raw = p.string('text');
  if (raw === '') throw badRequest('Message text is empty');
  return formatText(raw, p.string('parse_mode'), p.json('entities', 'entities'), (id) =>
    world.isKnown(id) ? world.user(id) : undefined,
  );
}

/**
 * Validates reply_markup like telegram-bot-api. Only an inline keyboard becomes part of the message; reply
 * keyboards, keyboard removal and force_reply are accepted and not stored.
 */
function readReplyMarkup(p: ParamReader): InlineKeyboardMarkup | undefined {
  const value = p.json('reply_markup', 'reply keyboard markup');
  if (value === undefined) return undefined;
  if (!isObject(value)) throw badRequest('Object expected as reply markup');
  const rows = value.inline_keyboard;
  if (rows === undefined) return undefined;
  if (!Array.isArray(rows) || rows.some((row) => !Array.isArray(row))) {
    throw badRequest('Field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays');
  }
  const keyboard: InlineKeyboardButton[][] = [];
  for (const row of rows as unknown[][]) {
    keyboard.push(row.map((button) => readButton(button)));
  }
  return keyboard.some((row) => row.length > 0) ? { inline_keyboard: keyboard } : undefined;
}

function readButton(button: unknown): InlineKeyboardButton {
  const fail = (why: string) => badRequest(`Can't parse inline keyboard button: ${why}`);
  if (!isObject(button)) throw fail('InlineKeyboardButton must be an Object');
  const { text, url, callback_data: data } = button;
  if (typeof text !== 'string') throw fail('Can\'t find field "text"');
  if (typeof url === 'string' && url !== '') return { text, url };
  if (typeof data === 'string' && data !== '') {
    if (Buffer.byteLength(data) > 64) throw badRequest('BUTTON_DATA_INVALID');
    return { text, callback_data: data };
  }
  const inline = button.switch_inline_query;
  if (typeof inline === 'string') return { text, switch_inline_query: inline };
  const inlineHere = button.switch_inline_query_current_chat;
  if (typeof inlineHere === 'string') return { text, switch_inline_query_current_chat: inlineHere };
  const webApp = button.web_app;
  if (isObject(webApp) && typeof webApp.url === 'string') return { text, web_app: { url: webApp.url } };
  const login = button.login_url;
  if (isObject(login) && typeof login.url === 'string') return { text, login_url: { url: login.url } };
  if (button.pay === true) return { text, pay: true };
  if (isObject(button.callback_game)) return { text, callback_game: {} };
  throw fail('Text buttons are unallowed in the inline keyboard');
}

function readLinkPreview(p: ParamReader): LinkPreviewOptions | undefined {
  const value = p.json('link_preview_options', 'link preview options');
  if (value === undefined) return p.bool('disable_web_page_preview') ? { is_disabled: true } : undefined;
  if (!isObject(value)) throw badRequest('Object expected as link preview options');
  return value as LinkPreviewOptions;
}

// reply_parameters (Bot API 7.0) or the legacy reply_to_message_id; a missing target fails unless
// allow_sending_without_reply is set.
function readReplyTarget(world: World, chat: ChatRecord, p: ParamReader): number | undefined {
  let messageId = p.int('reply_to_message_id');
  let allowWithout = p.bool('allow_sending_without_reply');
  const parameters = p.json('reply_parameters', 'reply parameters');
  if (parameters !== undefined) {
    if (!isObject(parameters)) throw badRequest('Object expected as reply parameters');
    messageId = Number(parameters.message_id ?? 0) || 0;
    allowWithout = parameters.allow_sending_without_reply === true;
    const target = parameters.chat_id;
    if (target !== undefined && String(target) !== String(chat.id) && !allowWithout) {
      throw badRequest('message to reply not found');
    }
  }
  if (messageId <= 0) return undefined;
  if (world.liveMessage(chat, messageId)) return messageId;
  if (allowWithout) return undefined;
  throw badRequest('message to reply not found');
}

function editableMessage(world: World, p: ParamReader): MessageRecord {
  if (!p.has('chat_id') && !p.has('message_id')) {
    if (p.has('inline_message_id')) throw badRequest('MESSAGE_ID_INVALID');
    throw badRequest('message to edit not found');
  }
  const chat = accessChat(world, p.chatId(), 'edit');
  const record = requireMessage(world, chat, p.int('message_id'), 'message to edit');
  if (!record.fromBot) throw badRequest("Message can't be edited");
  if (record.service) throw badRequest('There is no text in the message to edit');
  return record;
}

function edit(
  world: World,
  record: MessageRecord,
  content: Pick<FormattedText, 'text' | 'entities'>,
  replyMarkup: InlineKeyboardMarkup | undefined,
): unknown {
  const current = record.versions.at(-1);
  const same =
    current !== undefined &&
    current.text === content.text &&
    JSON.stringify(current.entities) === JSON.stringify(content.entities) &&
    JSON.stringify(current.reply_markup) === JSON.stringify(replyMarkup);
  if (same) throw badRequest(NOT_MODIFIED);
  const date = world.now();
  record.versions.push({ text: content.text, entities: content.entities, reply_markup: replyMarkup, date });
  record.editDate = date;
  return messageJson(world, record);
}

// TDLib: in supergroups, bots cannot delete anything 48 h old, nor the first message or the migration notice;
// others' messages need can_delete_messages. In basic groups and private chats the 48 h revoke limit applies,
// and others' group messages need the bot to be an administrator.
function assertDeletable(world: World, chat: ChatRecord, record: MessageRecord): void {
  const age = world.now() - record.date;
  const outgoing = record.fromBot;
  const isService = record.service !== undefined;
  if (chat.type === 'supergroup') {
    const forbidden =
      age >= 2 * 86400 ||
      record.messageId === 1 ||
      record.service?.kind === 'migrate_from_chat_id' ||
      !(world.botCan(chat, 'can_delete_messages') || outgoing);
    if (forbidden) throw badRequest("Message can't be deleted");
    return;
  }
  const botIsAdmin = chat.type === 'group' && world.botState(chat).status === 'administrator';
  const ownText = outgoing && !isService;
  const mayRevoke = chat.type === 'private' ? ownText || !outgoing : ownText || botIsAdmin;
  if (!mayRevoke || age > 2 * 86400) throw badRequest("Message can't be deleted for everyone");
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
