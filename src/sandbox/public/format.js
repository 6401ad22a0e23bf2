// Words and dates in the page's language: labels, times in the bot's time zone, initials and colours.
import { LABELS } from './labels.js';
import { ui } from './state.js';

const COLORS = 8;

/** A page label in the current language with {placeholders} filled. */
export function label(key, params = {}) {
  const text = LABELS[ui.language][key] ?? LABELS.ru[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ''));
}

function locale() {
  return ui.language === 'ru' ? 'ru-RU' : 'en-GB';
}

const formatters = new Map();

/** A date formatter in the page's language and the bot's time zone (made once per kind). */
export function formatter(options) {
  const timeZone = ui.state?.timeZone ?? 'UTC';
  const key = `${locale()}|${timeZone}|${JSON.stringify(options)}`;
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale(), { timeZone, ...options });
    formatters.set(key, format);
  }
  return format;
}

/** "14:03" */
export function clockTime(unixSeconds) {
  return formatter({ hour: '2-digit', minute: '2-digit' }).format(new Date(unixSeconds * 1000));
}

/** "19 мая, 14:03" */
export function dateTime(unixSeconds) {
  return formatter({ day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit' }).format(
    new Date(unixSeconds * 1000),
  );
}

/** "19 мая" (with the year when it is not this year's) */
export function day(unixSeconds) {
  const date = new Date(unixSeconds * 1000);
  const year = formatter({ year: 'numeric' });
  const sameYear = year.format(date) === year.format(new Date(ui.now ?? Date.now()));
  return formatter({ day: 'numeric', month: 'long', ...(sameYear ? {} : { year: 'numeric' }) }).format(date);
}

export function dayKey(unixSeconds) {
  return formatter({ year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    new Date(unixSeconds * 1000),
  );
}

export function initials(name) {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((part) => part[0]?.toUpperCase() ?? '')
    .join('');
}

export function colorClass(id) {
  return `c${Math.abs(id) % COLORS}`;
}
