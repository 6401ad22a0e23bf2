import type { MessageEntity, User } from 'telegraf/types';
import { badRequest } from './errors.js';

/** Text after parse_mode and Telegram's clean-up, with its entities (offsets in UTF-16 code units). */
export interface FormattedText {
  readonly text: string;
  readonly entities: readonly MessageEntity[];
}

/** Resolves `tg://user?id=` links to users the bot knows. */
export type UserLookup = (id: number) => User | undefined;

/** Longest text after entity parsing (Telegram: 4096 UTF-16 code units). */
export const MAX_TEXT_LENGTH = 4096;

type Kind =
  | 'bold'
  | 'italic'
  | 'underline'
  | 'strikethrough'
  | 'spoiler'
  | 'code'
  | 'pre'
  | 'text_link'
  | 'custom_emoji'
  | 'blockquote';

interface RawEntity {
  kind: Kind;
  offset: number;
  length: number;
  /** URL, language or custom emoji id. */
  arg: string;
}

/**
 * Turns `text` + `parse_mode` (or explicit `entities`) into what Telegram stores, the way telegram-bot-api and
 * TDLib do: HTML / MarkdownV2 / Markdown parsing with their error texts, trimming of surrounding whitespace,
 * and detection of commands, mentions, hashtags, URLs and e-mails.
 *
 * @throws {import('./errors.js').ApiError} `400 Bad Request: …` as Telegram would answer.
 */
export function formatText(
  raw: string,
  parseMode: string,
  explicitEntities: unknown,
  lookup: UserLookup,
): FormattedText {
  if (Buffer.byteLength(raw) > 1 << 15) throw badRequest('Text is too long');
  const mode = parseMode.toLowerCase();
  let parsed: { text: string; entities: MessageEntity[] };
  if (mode === '' || mode === 'none') {
    parsed = { text: raw, entities: explicit(explicitEntities) };
  } else if (mode === 'html' || mode === 'markdownv2' || mode === 'markdown') {
    const parse = mode === 'html' ? parseHtml : mode === 'markdownv2' ? parseMarkdownV2 : parseMarkdown;
    const result = parse(raw);
    if (typeof result === 'string') throw badRequest(`Can't parse entities: ${result}`);
    parsed = { text: result.text, entities: toEntities(result.entities, lookup) };
  } else {
    throw badRequest('Unsupported parse_mode');
  }
  const trimmed = trim(parsed.text, parsed.entities);
  if (trimmed.text === '') throw badRequest('Message must be non-empty');
  return {
    text: trimmed.text,
    entities: sortEntities(mergeDetected(trimmed.entities, detectEntities(trimmed.text))),
  };
}

/**
 * Entities Telegram finds by itself in plain text: bot commands (`/cmd`, `/cmd@bot`), mentions, hashtags,
 * cashtags, URLs and e-mail addresses. An approximation of TDLib's `find_entities`.
 */
export function detectEntities(text: string): MessageEntity[] {
  const found: MessageEntity[] = [];
  const scan = (pattern: RegExp, type: MessageEntity.CommonMessageEntity['type'], trimEnd = false): void => {
    for (const match of text.matchAll(pattern)) {
      let value = match[0];
      if (trimEnd) value = value.replace(/[.,:;!?)\]'"]+$/u, '');
      if (value.length > 0) found.push({ type, offset: match.index, length: value.length });
    }
  };
  scan(/(?<![\w/@])\/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w@/])/gu, 'bot_command');
  scan(/(?<![\w@.])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/gu, 'email');
  scan(/(?<![\w@/.])@[A-Za-z0-9_]{3,32}(?![\w@])/gu, 'mention');
  scan(/(?<![\w#&])#[\p{L}\p{N}_]*\p{L}[\p{L}\p{N}_]*/gu, 'hashtag');
  scan(/(?<![\w$])\$[A-Z]{1,8}(?![\w])/gu, 'cashtag');
  scan(/\b(?:https?:\/\/|www\.|t\.me\/)[^\s<>"]+/giu, 'url', true);
  return dropOverlapping(sortEntities(found));
}

function explicit(value: unknown): MessageEntity[] {
  if (!Array.isArray(value)) return [];
  const entities: MessageEntity[] = [];
  for (const item of value) {
    if (typeof item !== 'object' || item === null)
      throw badRequest("Can't parse MessageEntity: expected an Object");
    const entity = item as Record<string, unknown>;
    const { type, offset, length } = entity;
    if (typeof type !== 'string' || typeof offset !== 'number' || typeof length !== 'number') {
      throw badRequest(
        `Can't parse MessageEntity: Can't find field "${typeof type !== 'string' ? 'type' : 'offset'}"`,
      );
    }
    if (length <= 0 || offset < 0) continue;
    entities.push(item as MessageEntity);
  }
  return entities;
}

function toEntities(raw: readonly RawEntity[], lookup: UserLookup): MessageEntity[] {
  const entities: MessageEntity[] = [];
  for (const e of raw) {
    const at = { offset: e.offset, length: e.length };
    switch (e.kind) {
      case 'pre':
        entities.push(e.arg ? { type: 'pre', ...at, language: e.arg } : { type: 'pre', ...at });
        break;
      case 'custom_emoji':
        entities.push({ type: 'custom_emoji', ...at, custom_emoji_id: e.arg });
        break;
      case 'text_link': {
        const userId = /^tg:\/\/user\?id=(\d+)$/u.exec(e.arg)?.[1];
        if (userId !== undefined) {
          const user = lookup(Number(userId));
          if (user) entities.push({ type: 'text_mention', ...at, user });
          break;
        }
        const url = checkedLink(e.arg);
        if (url) entities.push({ type: 'text_link', ...at, url });
        break;
      }
      default:
        entities.push({ type: e.kind, ...at });
    }
  }
  return entities;
}

// TDLib keeps well-formed http(s)/tg/ton links and prefixes bare domains with http://; it drops the rest.
function checkedLink(url: string): string | undefined {
  const candidate = /^[a-z][a-z0-9+.-]*:/iu.test(url) ? url : `http://${url}`;
  try {
    const parsed = new URL(candidate);
    if (['http:', 'https:'].includes(parsed.protocol))
      return parsed.hostname.includes('.') ? candidate : undefined;
    return ['tg:', 'ton:'].includes(parsed.protocol) ? candidate : undefined;
  } catch {
    return undefined;
  }
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r', '\v', '\f', '\u00a0']);

// Telegram strips leading and trailing whitespace from message text and shifts entities accordingly.
function trim(text: string, entities: readonly MessageEntity[]): { text: string; entities: MessageEntity[] } {
  let start = 0;
  let end = text.length;
  while (start < end && WHITESPACE.has(text[start] ?? '')) start++;
  while (end > start && WHITESPACE.has(text[end - 1] ?? '')) end--;
  const kept: MessageEntity[] = [];
  for (const entity of entities) {
    const from = Math.max(entity.offset, start);
    const to = Math.min(entity.offset + entity.length, end);
    if (to > from) kept.push({ ...entity, offset: from - start, length: to - from });
  }
  return { text: text.slice(start, end), entities: kept };
}

const ATOMIC: ReadonlySet<MessageEntity['type']> = new Set([
  'code',
  'pre',
  'text_link',
  'text_mention',
  'custom_emoji',
  'url',
  'email',
  'mention',
  'hashtag',
  'cashtag',
  'bot_command',
]);

function mergeDetected(own: readonly MessageEntity[], detected: readonly MessageEntity[]): MessageEntity[] {
  const blockers = own.filter((e) => ATOMIC.has(e.type));
  const extra = detected.filter((d) => !blockers.some((b) => overlaps(b, d)));
  return [...own, ...extra];
}

function dropOverlapping(sorted: readonly MessageEntity[]): MessageEntity[] {
  const kept: MessageEntity[] = [];
  for (const entity of sorted) if (!kept.some((k) => overlaps(k, entity))) kept.push(entity);
  return kept;
}

function overlaps(a: MessageEntity, b: MessageEntity): boolean {
  return a.offset < b.offset + b.length && b.offset < a.offset + a.length;
}

function sortEntities<T extends { offset: number; length: number }>(entities: T[]): T[] {
  return entities.sort((a, b) => a.offset - b.offset || b.length - a.length);
}

function byteOffset(text: string, index: number): number {
  return Buffer.byteLength(text.slice(0, index));
}

// ---------------------------------------------------------------- HTML (port of TDLib parse_html)

const HTML_TAGS = new Set([
  'a',
  'b',
  'strong',
  'i',
  'em',
  's',
  'strike',
  'del',
  'u',
  'ins',
  'tg-spoiler',
  'tg-emoji',
  'span',
  'pre',
  'code',
  'blockquote',
]);

const isSpace = (c: string | undefined): boolean =>
  c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '\v';

function decodeHtmlEntity(text: string, pos: number): { char: string; end: number } | undefined {
  let end = pos + 1;
  let code = 0;
  if (text[end] === '#') {
    end++;
    const hex = text[end] === 'x';
    if (hex) end++;
    const digits = hex ? /^[0-9a-fA-F]*/u : /^[0-9]*/u;
    const run = digits.exec(text.slice(end))?.[0] ?? '';
    end += run.length;
    code = run === '' ? 0 : Number.parseInt(run, hex ? 16 : 10);
    if (code === 0 || code >= 0x10ffff || end - pos >= 10) return undefined;
  } else {
    const name = /^[A-Za-z]*/u.exec(text.slice(end))?.[0] ?? '';
    end += name.length;
    const named: Record<string, number> = { lt: 60, gt: 62, amp: 38, quot: 34 };
    code = named[name] ?? 0;
    if (code === 0) return undefined;
  }
  if (text[end] === ';') end++;
  return { char: String.fromCodePoint(code), end };
}

function parseHtml(text: string): { text: string; entities: RawEntity[] } | string {
  const n = text.length;
  let out = '';
  const entities: RawEntity[] = [];
  const open: Array<{ tag: string; arg: string; offset: number }> = [];
  let i = 0;
  while (i < n) {
    const c = text[i];
    if (c === '&') {
      const decoded = decodeHtmlEntity(text, i);
      if (decoded) {
        out += decoded.char;
        i = decoded.end;
        continue;
      }
    }
    if (c !== '<') {
      out += c;
      i++;
      continue;
    }
    const begin = i++;
    const at = byteOffset(text, begin);
    if (text[i] !== '/') {
      while (i < n && !isSpace(text[i]) && text[i] !== '>') i++;
      if (i >= n) return `Unclosed start tag at byte offset ${at}`;
      const tag = text.slice(begin + 1, i).toLowerCase();
      if (!HTML_TAGS.has(tag)) return `Unsupported start tag "${tag}" at byte offset ${at}`;
      let arg = '';
      while (text[i] !== '>') {
        while (i < n && isSpace(text[i])) i++;
        if (text[i] === '>') break;
        const nameBegin = i;
        while (i < n && !isSpace(text[i]) && text[i] !== '=' && text[i] !== '>') i++;
        const attribute = text.slice(nameBegin, i);
        if (attribute === '') return `Empty attribute name in the tag "${tag}" at byte offset ${at}`;
        while (i < n && isSpace(text[i])) i++;
        if (text[i] !== '=') {
          return `Expected equal sign in declaration of an attribute of the tag "${tag}" at byte offset ${at}`;
        }
        i++;
        while (i < n && isSpace(text[i])) i++;
        if (i >= n) return `Unclosed start tag "${tag}" at byte offset ${at}`;
        let value = '';
        const quote = text[i];
        if (quote !== "'" && quote !== '"') {
          const tokenBegin = i;
          while (i < n && /[A-Za-z0-9.-]/u.test(text[i] ?? '')) i++;
          value = text.slice(tokenBegin, i).toLowerCase();
          if (!isSpace(text[i]) && text[i] !== '>') {
            return `Unexpected end of name token at byte offset ${byteOffset(text, tokenBegin)}`;
          }
        } else {
          i++;
          while (i < n && text[i] !== quote) {
            const decoded = text[i] === '&' ? decodeHtmlEntity(text, i) : undefined;
            if (decoded) {
              value += decoded.char;
              i = decoded.end;
            } else {
              value += text[i];
              i++;
            }
          }
          if (text[i] === quote) i++;
        }
        if (i >= n) return `Unclosed start tag at byte offset ${at}`;
        if (tag === 'a' && attribute === 'href') arg = value;
        else if (tag === 'code' && attribute === 'class' && value.startsWith('language-'))
          arg = value.slice(9);
        else if (tag === 'span' && attribute === 'class' && value.startsWith('tg-')) arg = value.slice(3);
        else if (tag === 'tg-emoji' && attribute === 'emoji-id') arg = value;
      }
      if (tag === 'span' && arg !== 'spoiler')
        return `Tag "span" must have class "tg-spoiler" at byte offset ${at}`;
      open.push({ tag, arg, offset: out.length });
      i++;
      continue;
    }
    const top = open.at(-1);
    if (!top) return `Unexpected end tag at byte offset ${at}`;
    while (i < n && !isSpace(text[i]) && text[i] !== '>') i++;
    const endTag = text.slice(begin + 2, i).toLowerCase();
    while (i < n && isSpace(text[i])) i++;
    if (text[i] !== '>') return `Unclosed end tag at byte offset ${at}`;
    if (endTag !== '' && endTag !== top.tag) {
      return `Unmatched end tag at byte offset ${at}, expected "</${top.tag}>", found "</${endTag}>"`;
    }
    if (out.length > top.offset) {
      const problem = closeHtmlTag(top, out, entities);
      if (problem) return problem;
    }
    open.pop();
    i++;
  }
  const unclosed = open.at(-1);
  if (unclosed) return `Can't find end tag corresponding to start tag ${unclosed.tag}`;
  for (const e of entities) if (e.kind === 'code') e.arg = '';
  return { text: out, entities: sortEntities(entities) };
}

function closeHtmlTag(top: { tag: string; arg: string; offset: number }, out: string, entities: RawEntity[]) {
  const offset = top.offset;
  const length = out.length - offset;
  const add = (kind: Kind, arg = ''): void => {
    entities.push({ kind, offset, length, arg });
  };
  const last = entities.at(-1);
  const sameSpan = last !== undefined && last.offset === offset && last.length === length;
  switch (top.tag) {
    case 'i':
    case 'em':
      add('italic');
      break;
    case 'b':
    case 'strong':
      add('bold');
      break;
    case 's':
    case 'strike':
    case 'del':
      add('strikethrough');
      break;
    case 'u':
    case 'ins':
      add('underline');
      break;
    case 'tg-spoiler':
    case 'span':
      add('spoiler');
      break;
    case 'tg-emoji':
      if (!/^[1-9]\d*$/u.test(top.arg)) return 'Invalid custom emoji identifier specified';
      add('custom_emoji', top.arg);
      break;
    case 'a':
      add('text_link', top.arg || out.slice(offset));
      break;
    case 'pre':
      if (last && sameSpan && last.kind === 'code' && last.arg !== '') last.kind = 'pre';
      else add('pre');
      break;
    case 'code':
      if (last && sameSpan && last.kind === 'pre' && top.arg !== '') last.arg = top.arg;
      else add('code', top.arg);
      break;
    case 'blockquote':
      add('blockquote');
      break;
  }
  return undefined;
}

// ---------------------------------------------------------------- MarkdownV2 (port of TDLib parse_markdown_v2)

const KIND_NAMES: Readonly<Record<Kind, string>> = {
  bold: 'Bold',
  italic: 'Italic',
  underline: 'Underline',
  strikethrough: 'Strikethrough',
  spoiler: 'Spoiler',
  code: 'Code',
  pre: 'Pre',
  text_link: 'TextUrl',
  custom_emoji: 'CustomEmoji',
  blockquote: 'BlockQuote',
};

function reserved(char: string): string {
  return `Character '${char}' is reserved and must be escaped with the preceding '\\'`;
}

function parseMarkdownV2(text: string): { text: string; entities: RawEntity[] } | string {
  const n = text.length;
  let out = '';
  const entities: RawEntity[] = [];
  const open: Array<{ kind: Kind; arg: string; offset: number; byteAt: number; outBegin: number }> = [];
  let haveBlockquote = false;
  let canStartBlockquote = true;
  for (let i = 0; i < n; i++) {
    const c = text[i] ?? '';
    const next = text[i + 1] ?? '';
    if (c === '\\' && next !== '' && next.charCodeAt(0) <= 126) {
      i++;
      out += next;
      if (next !== '\r') canStartBlockquote = next === '\n';
      continue;
    }
    const top = open.at(-1);
    const inCode = top !== undefined && (top.kind === 'code' || top.kind === 'pre');
    const reservedChars = inCode ? '`' : '_*[]()~`>#+-=|{}.!\n';
    if (!reservedChars.includes(c)) {
      out += c;
      if (c !== '\r') canStartBlockquote = false;
      continue;
    }
    const isEnd = ((): boolean => {
      if (!top) return false;
      if (haveBlockquote && c === '\n' && (i + 1 === n || next !== '>')) return true;
      switch (top.kind) {
        case 'bold':
          return c === '*';
        case 'italic':
          return c === '_' && next !== '_';
        case 'code':
          return c === '`';
        case 'pre':
          return c === '`' && next === '`' && text[i + 2] === '`';
        case 'text_link':
        case 'custom_emoji':
          return c === ']';
        case 'underline':
          return c === '_' && next === '_';
        case 'strikethrough':
          return c === '~';
        case 'spoiler':
          return c === '|' && next === '|';
        case 'blockquote':
          return false;
      }
    })();
    if (!isEnd) {
      const byteAt = byteOffset(text, i);
      let kind: Kind | undefined;
      let arg = '';
      switch (c) {
        case '_':
          if (next === '_') {
            kind = 'underline';
            i++;
          } else kind = 'italic';
          break;
        case '*':
          kind = 'bold';
          break;
        case '~':
          kind = 'strikethrough';
          break;
        case '|':
          if (next !== '|') return reserved(c);
          i++;
          kind = 'spoiler';
          break;
        case '[':
          kind = 'text_link';
          break;
        case '`':
          if (next === '`' && text[i + 2] === '`') {
            i += 3;
            kind = 'pre';
            let languageEnd = i;
            while (languageEnd < n && !isSpace(text[languageEnd]) && text[languageEnd] !== '`') languageEnd++;
            if (i !== languageEnd && languageEnd < n && text[languageEnd] !== '`') {
              arg = text.slice(i, languageEnd);
              i = languageEnd;
            }
            if (text[i] === '\n' || text[i] === '\r') {
              const after = text[i + 1];
              i += (after === '\n' || after === '\r') && after !== text[i] ? 2 : 1;
            }
            i--;
          } else kind = 'code';
          break;
        case '!':
          if (next !== '[') return reserved(c);
          i++;
          kind = 'custom_emoji';
          break;
        case '\n':
          out += '\n';
          canStartBlockquote = true;
          break;
        case '>':
          if (!canStartBlockquote) return reserved(c);
          if (!haveBlockquote) {
            kind = 'blockquote';
            haveBlockquote = true;
          }
          break;
        default:
          return reserved(c);
      }
      if (kind) open.push({ kind, arg, offset: out.length, byteAt, outBegin: out.length });
      continue;
    }
    const entity = open.at(-1);
    if (!entity) continue;
    if (c === '\n' && entity.kind !== 'blockquote') {
      return `Can't find end of ${KIND_NAMES[entity.kind]} entity at byte offset ${entity.byteAt}`;
    }
    let arg = entity.arg;
    let skip = out.length === entity.offset;
    switch (entity.kind) {
      case 'underline':
      case 'spoiler':
        i++;
        break;
      case 'pre':
        i += 2;
        break;
      case 'text_link':
      case 'custom_emoji': {
        if (text[i + 1] !== '(') {
          if (entity.kind === 'custom_emoji') return 'Custom emoji entity must contain a tg://emoji URL';
          arg = out.slice(entity.outBegin);
          break;
        }
        i += 2;
        const urlBegin = i;
        let url = '';
        while (i < n && text[i] !== ')') {
          const escaped = text[i + 1];
          if (text[i] === '\\' && escaped !== undefined && escaped.charCodeAt(0) <= 126) {
            url += escaped;
            i += 2;
            continue;
          }
          url += text[i];
          i++;
        }
        if (text[i] !== ')') return `Can't find end of a URL at byte offset ${byteOffset(text, urlBegin)}`;
        if (entity.kind === 'custom_emoji') {
          const id = /^tg:\/\/emoji\?id=(\d+)$/u.exec(url)?.[1];
          if (id === undefined) return 'Custom emoji URL must have an emoji identifier';
          arg = id;
        } else arg = url;
        break;
      }
      case 'blockquote':
        haveBlockquote = false;
        out += c;
        canStartBlockquote = true;
        skip = false;
        break;
      default:
        break;
    }
    if (!skip) {
      const length = out.length - entity.offset;
      if (length > 0) entities.push({ kind: entity.kind, offset: entity.offset, length, arg });
    }
    open.pop();
  }
  const last = open.at(-1);
  if (haveBlockquote && last?.kind === 'blockquote') {
    if (out.length > last.offset) {
      entities.push({ kind: 'blockquote', offset: last.offset, length: out.length - last.offset, arg: '' });
    }
    open.pop();
  }
  const unclosed = open.at(-1);
  if (unclosed)
    return `Can't find end of ${KIND_NAMES[unclosed.kind]} entity at byte offset ${unclosed.byteAt}`;
  return { text: out, entities: sortEntities(entities) };
}

// ---------------------------------------------------------------- legacy Markdown (port of TDLib parse_markdown)

function parseMarkdown(text: string): { text: string; entities: RawEntity[] } | string {
  const n = text.length;
  let out = '';
  const entities: RawEntity[] = [];
  for (let i = 0; i < n; i++) {
    const c = text[i] ?? '';
    const next = text[i + 1] ?? '';
    if (c === '\\' && '_*`['.includes(next) && next !== '') {
      out += next;
      i++;
      continue;
    }
    if (!'_*`['.includes(c)) {
      out += c;
      continue;
    }
    const begin = i;
    const endChar = c === '[' ? ']' : c;
    let isPre = false;
    let language = '';
    i++;
    if (c === '`' && text[i] === '`' && text[i + 1] === '`') {
      i += 2;
      isPre = true;
      let languageEnd = i;
      while (languageEnd < n && !isSpace(text[languageEnd]) && text[languageEnd] !== '`') languageEnd++;
      if (i !== languageEnd && languageEnd < n && text[languageEnd] !== '`') {
        language = text.slice(i, languageEnd);
        i = languageEnd;
      }
      if (text[i] === '\n' || text[i] === '\r') {
        const after = text[i + 1];
        i += (after === '\n' || after === '\r') && after !== text[i] ? 2 : 1;
      }
    }
    const offset = out.length;
    while (i < n && (text[i] !== endChar || (isPre && !(text[i + 1] === '`' && text[i + 2] === '`')))) {
      out += text[i];
      i++;
    }
    if (i >= n) return `Can't find end of the entity starting at byte offset ${byteOffset(text, begin)}`;
    const length = out.length - offset;
    if (length > 0) {
      if (c === '_') entities.push({ kind: 'italic', offset, length, arg: '' });
      else if (c === '*') entities.push({ kind: 'bold', offset, length, arg: '' });
      else if (c === '`')
        entities.push({ kind: isPre ? 'pre' : 'code', offset, length, arg: isPre ? language : '' });
      else {
        let url = out.slice(offset);
        if (text[i + 1] === '(') {
          i += 2;
          url = '';
          while (i < n && text[i] !== ')') {
            url += text[i];
            i++;
          }
        }
        entities.push({ kind: 'text_link', offset, length, arg: url });
      }
    }
    if (isPre) i += 2;
  }
  return { text: out, entities };
}
