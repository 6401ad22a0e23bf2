import { FLAG_SIGNALS, type FlagSignal } from './detect.js';

/**
 * The flagger's per-chat settings, stored among the chat's overrides: its own words
 * (`/settings flag_words мат, спам`) and which rule each signal cites (`/settings flag_rule insult 3`).
 */

export interface FlagSettings {
  words: string[];
  /** The school's own links and sites (`/settings own_links`): never flagged as advertising. */
  ownLinks: string[];
  rules: Partial<Record<FlagSignal, number>>;
}

export const FLAG_LIMITS = { maxWords: 50, maxWordLength: 40, maxLinks: 20, maxLinkLength: 200 } as const;

export function readFlagSettings(overrides: Record<string, unknown>): FlagSettings {
  const words = Array.isArray(overrides.flag_words)
    ? overrides.flag_words.filter((word): word is string => typeof word === 'string')
    : [];
  const rules: FlagSettings['rules'] = {};
  const stored = overrides.flag_rules;
  if (stored && typeof stored === 'object') {
    for (const signal of FLAG_SIGNALS) {
      const value = (stored as Record<string, unknown>)[signal];
      if (typeof value === 'number' && Number.isInteger(value) && value > 0) rules[signal] = value;
    }
  }
  const ownLinks = Array.isArray(overrides.own_links)
    ? overrides.own_links.filter((link): link is string => typeof link === 'string')
    : [];
  return { words, ownLinks, rules };
}

/** A site or a link: a host with a dot (`school.ru`, `max.ru/join/abc`), scheme and `www.` dropped. */
const LINK = /^(?:[\p{L}\d-]+\.)+[\p{L}\d-]{2,}(?:[/?#]\S*)?$/u;

/**
 * `/settings own_links school.ru, https://max.ru/join/abc` → the school's links as the detector compares
 * them (lower case, no scheme, no `www.`, no trailing slash), or why not; «-» clears them.
 */
export function parseOwnLinks(raw: string): { ok: true; links: string[] } | { ok: false } {
  const trimmed = raw.trim();
  if (trimmed === '-' || trimmed.toLowerCase() === 'off') return { ok: true, links: [] };
  const links = [
    ...new Set(
      trimmed
        .split(/[,;\s]+/)
        .map((link) =>
          link
            .toLowerCase()
            .replace(/^https?:\/\//, '')
            .replace(/^www\./, '')
            .replace(/\/+$/, ''),
        )
        .filter(Boolean),
    ),
  ];
  if (links.length === 0 || links.length > FLAG_LIMITS.maxLinks) return { ok: false };
  if (links.some((link) => link.length > FLAG_LIMITS.maxLinkLength || !LINK.test(link))) return { ok: false };
  return { ok: true, links };
}

/** `/settings flag_words a, b c` → the words (lower case), or why not; «-» clears them. */
export function parseFlagWords(raw: string): { ok: true; words: string[] } | { ok: false } {
  const trimmed = raw.trim();
  if (trimmed === '-' || trimmed.toLowerCase() === 'off') return { ok: true, words: [] };
  const words = [
    ...new Set(
      trimmed
        .split(/[,;\s]+/)
        .map((word) => word.toLowerCase().replace(/ё/g, 'е'))
        .filter(Boolean),
    ),
  ];
  if (words.length === 0 || words.length > FLAG_LIMITS.maxWords) return { ok: false };
  if (words.some((word) => word.length < 2 || word.length > FLAG_LIMITS.maxWordLength)) return { ok: false };
  return { ok: true, words };
}

/** `/settings flag_rule <signal> <rule>`: the signal and the rule number, or why not. */
export function parseFlagRule(
  raw: string,
  ruleCount: number,
): { ok: true; signal: FlagSignal; rule: number | null } | { ok: false; problem: 'signal' | 'rule' } {
  const [signalWord = '', ruleWord = ''] = raw.trim().toLowerCase().split(/\s+/);
  const signal = FLAG_SIGNALS.find((candidate) => candidate === signalWord);
  if (!signal) return { ok: false, problem: 'signal' };
  if (ruleWord === '-' || ruleWord === 'auto') return { ok: true, signal, rule: null };
  const rule = Number(ruleWord.replace(/^(?:п\.?|№|#)/u, ''));
  if (!Number.isInteger(rule) || rule < 1 || rule > ruleCount) return { ok: false, problem: 'rule' };
  return { ok: true, signal, rule };
}

/** What each signal most likely breaks, by words of the rule's text. */
const RULE_WORDS: Record<FlagSignal, RegExp> = {
  insult:
    /оскорб|нецензур|мат(?:а|ом|ерн)?(?!\p{L})|брань|руга|грубо|уважит|вежлив|insult|swear|obscen|rude|polite|respect/iu,
  advertising: /реклам|спам|ссылк|продаж|коммерч|advert|spam|\bads?\b|selling/iu,
  shouting: /капс|заглавн|крик|крича|caps|shout/iu,
  flooding: /флуд|спам|по делу|не по теме|flood|spam|off-topic/iu,
  own_words: /оскорб|нецензур|insult|swear/iu,
};

/** The rule a signal cites: the moderator's choice, else the first rule whose text fits, else none. */
export function ruleFor(signal: FlagSignal, rules: readonly string[], settings: FlagSettings): number | null {
  const chosen = settings.rules[signal];
  if (chosen !== undefined && chosen <= rules.length) return chosen;
  const index = rules.findIndex((rule) => RULE_WORDS[signal].test(rule));
  return index === -1 ? null : index + 1;
}
