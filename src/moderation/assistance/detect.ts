import { findAdvertising } from './advertising.js';
import { findInsults } from './insults.js';
import { quotedRanges, tokenize } from './normalize.js';
import { isShouting } from './shouting.js';

/**
 * The message check (pure, local, no network): which signals a message raises. It only suggests; a
 * moderator decides (regulation 4.13.7). Each finding carries the pattern that raised it, which a
 * moderator can dismiss for the chat («Не нарушение»).
 */

export const FLAG_SIGNALS = ['insult', 'advertising', 'shouting', 'flooding', 'own_words'] as const;
export type FlagSignal = (typeof FLAG_SIGNALS)[number];

export interface Finding {
  signal: FlagSignal;
  /** What raised it: a lexicon id («ru:дурак»), a link kind («shortener:bit.ly»), a chat word. */
  pattern: string;
}

export interface CheckOptions {
  /** The chat's own words (`/settings flag_words`), lower case. */
  ownWords?: readonly string[];
  /** Patterns a moderator dismissed in this chat. */
  dismissed?: ReadonlySet<string>;
  /** The school's own links: never advertising. */
  ownLinks?: readonly string[];
}

/** Text too short to carry any signal is skipped before any work. */
const CHEAP_SKIP = /^[\s\p{P}\p{Emoji_Presentation}\d+]{0,8}$/u;

export function checkMessage(text: string, options: CheckOptions = {}): Finding[] {
  if (!text || CHEAP_SKIP.test(text)) return [];
  const dismissed = options.dismissed ?? new Set<string>();
  const findings: Finding[] = [];
  const add = (signal: FlagSignal, pattern: string) => {
    if (dismissed.has(pattern) || findings.some((f) => f.signal === signal)) return;
    findings.push({ signal, pattern });
  };
  const tokens = tokenize(text);
  for (const hit of findInsults(text, tokens, quotedRanges(text))) add('insult', hit.id);
  for (const pattern of findAdvertising(text, { ownLinks: options.ownLinks ?? [] }))
    add('advertising', pattern);
  if (isShouting(text)) add('shouting', 'shouting');
  if (options.ownWords?.length) {
    for (const word of options.ownWords) {
      if (
        tokens.some(
          (token) => token.ru.startsWith(word) || token.en.startsWith(word) || token.plain.startsWith(word),
        )
      ) {
        add('own_words', `word:${word}`);
      }
    }
  }
  return findings;
}
