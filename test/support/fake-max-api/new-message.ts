import { MAX_ERRORS } from './errors.js';
import { isRecord } from './world.js';

/** Schema limits of `NewMessageBody` and of buttons. */
export const LIMITS = {
  textChars: 4000,
  buttonTextChars: 128,
  /** CallbackButton.payload maxLength 1024; the fake counts UTF-8 bytes, stricter than the schema's characters. */
  callbackPayloadBytes: 1024,
  linkUrlChars: 2048,
} as const;

const BUTTON_TYPES = new Set([
  'callback',
  'link',
  'request_geo_location',
  'request_contact',
  'message',
  'open_app',
  'clipboard',
]);

/** A checked `NewMessageBody`; `undefined` means the field was absent (edits keep what was there). */
export interface NewMessage {
  readonly text: string | null | undefined;
  readonly attachments: readonly unknown[] | null | undefined;
  readonly link: { readonly type: 'reply' | 'forward'; readonly mid: string } | undefined;
  readonly format: 'markdown' | 'html' | undefined;
}

/** Reads and checks a `NewMessageBody` the way the API refuses one (400 `proto.payload`). */
export function readNewMessage(body: unknown): NewMessage {
  if (!isRecord(body)) throw MAX_ERRORS.payload('Request body must be a NewMessageBody object');
  const { text, attachments, link, format } = body;
  if (text !== undefined && text !== null && typeof text !== 'string')
    throw MAX_ERRORS.payload('text: must be a string');
  if (typeof text === 'string' && [...text].length > LIMITS.textChars) {
    throw MAX_ERRORS.payload(`text: size must be between 0 and ${LIMITS.textChars}`);
  }
  if (attachments !== undefined && attachments !== null && !Array.isArray(attachments)) {
    throw MAX_ERRORS.payload('attachments: must be an array');
  }
  for (const attachment of attachments ?? []) checkAttachment(attachment);
  if (format !== undefined && format !== null && format !== 'markdown' && format !== 'html') {
    throw MAX_ERRORS.payload(`format: unknown value ${String(format)}`);
  }
  let checkedLink: NewMessage['link'];
  if (link !== undefined && link !== null) {
    if (
      !isRecord(link) ||
      (link.type !== 'reply' && link.type !== 'forward') ||
      typeof link.mid !== 'string'
    ) {
      throw MAX_ERRORS.payload('link: {type: reply|forward, mid} expected');
    }
    checkedLink = { type: link.type, mid: link.mid };
  }
  return {
    text: text as string | null | undefined,
    attachments: attachments as unknown[] | null | undefined,
    link: checkedLink,
    format: format === 'markdown' || format === 'html' ? format : undefined,
  };
}

function checkAttachment(attachment: unknown): void {
  if (!isRecord(attachment) || typeof attachment.type !== 'string') {
    throw MAX_ERRORS.payload('attachments: every attachment needs a type');
  }
  if (attachment.type !== 'inline_keyboard') return;
  const payload = attachment.payload;
  if (!isRecord(payload) || !Array.isArray(payload.buttons) || payload.buttons.length === 0) {
    throw MAX_ERRORS.payload('inline_keyboard: payload.buttons must hold at least one row');
  }
  for (const row of payload.buttons) {
    if (!Array.isArray(row))
      throw MAX_ERRORS.payload('inline_keyboard: every row must be an array of buttons');
    for (const button of row) checkButton(button);
  }
}

function checkButton(button: unknown): void {
  if (!isRecord(button) || typeof button.type !== 'string' || !BUTTON_TYPES.has(button.type)) {
    throw MAX_ERRORS.payload('button: unknown type');
  }
  const text = button.text;
  if (typeof text !== 'string' || text.length < 1 || [...text].length > LIMITS.buttonTextChars) {
    throw MAX_ERRORS.payload(`button.text: size must be between 1 and ${LIMITS.buttonTextChars}`);
  }
  if (button.type === 'callback' || button.type === 'clipboard') {
    if (typeof button.payload !== 'string') throw MAX_ERRORS.payload('button.payload: required');
    if (Buffer.byteLength(button.payload, 'utf8') > LIMITS.callbackPayloadBytes) {
      throw MAX_ERRORS.payload(`button.payload: size must be at most ${LIMITS.callbackPayloadBytes}`);
    }
  }
  if (button.type === 'link') {
    if (typeof button.url !== 'string' || button.url.length > LIMITS.linkUrlChars) {
      throw MAX_ERRORS.payload(`button.url: required, at most ${LIMITS.linkUrlChars} characters`);
    }
  }
}
