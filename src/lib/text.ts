/**
 * Text from outside (platform profiles, roster pushes, messages) on its way into the database or into
 * a message people read.
 */

/** NUL (which PostgreSQL cannot store) and other control characters but tab and line breaks. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;
/** A UTF-16 surrogate without its pair: not a character at all. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** Marks that reorder text around them (a name could make a sentence read backwards). */
const BIDI = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
const ZERO_WIDTH_SPACE = '\u200B';

/** Whether a string is text a person could have typed: no control characters, no broken Unicode. */
export function isCleanText(text: string, options: { lineBreaks?: boolean } = {}): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
  const control = options.lineBreaks ? CONTROL : /[\u0000-\u001F\u007F]/;
  return !new RegExp(control.source).test(text) && !new RegExp(LONE_SURROGATE.source).test(text);
}

/** Text that can be stored: control characters dropped, broken Unicode replaced by U+FFFD. */
export function storable(text: string): string {
  return text.replace(CONTROL, '').replace(LONE_SURROGATE, '\uFFFD');
}

/**
 * A name as the bot writes it into a message: on one line, in its own reading order, at most 64
 * characters, and never a link or a mention (a zero-width space after `@`, before a dot between letters
 * and inside `://`), so a name like "@evil t.me/spam" cannot advertise or ping anyone.
 */
export function neutralName(name: string): string {
  const flat = storable(name).replace(BIDI, '').replace(/\s+/g, ' ').trim();
  const short = [...flat].length > 64 ? `${[...flat].slice(0, 63).join('')}…` : flat;
  return short
    .replace(/@/g, `@${ZERO_WIDTH_SPACE}`)
    .replace(/(\p{L}|\p{N})\.(?=\p{L}|\p{N})/gu, `$1${ZERO_WIDTH_SPACE}.`)
    .replace(/:\/\//g, `:${ZERO_WIDTH_SPACE}//`);
}

/**
 * A text as a sentence inside a message: trimmed, ending with its own full stop (or ?, !, …) so that
 * what follows it reads right ("… на «вы». Следующее нарушение …"), never with two.
 */
export function sentence(text: string): string {
  const trimmed = text.trim();
  if (trimmed === '' || /[.!?…]["»”)]*$/u.test(trimmed)) return trimmed;
  return `${trimmed}.`;
}
