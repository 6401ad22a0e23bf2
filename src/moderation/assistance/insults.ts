import BadWordsNext from 'bad-words-next';
import enData from 'bad-words-next/lib/en';
import ruData from 'bad-words-next/lib/ru';
import ruLatData from 'bad-words-next/lib/ru_lat';
import { ENGLISH, type LexiconEntry, LITERAL_CONTEXT, MASKED_TARGETS, REPORTED, RUSSIAN } from './lexicon.js';
import type { Token } from './normalize.js';

/**
 * Profanity and insults in one message (pure). The base lexicon is the maintained `bad-words-next`
 * dictionaries (English, Russian, Russian in Latin letters), compiled once into one matcher per script;
 * lexicon.ts extends it with word forms and the roots it misses, and with the context that makes a
 * mild word ordinary.
 */

export interface InsultHit {
  id: string;
  strength: LexiconEntry['strength'];
}

/** Innocent words that contain a dictionary word (the Scunthorpe problem). */
const INNOCENT = new Set([
  'scunthorpe',
  'suffolk',
  'essex',
  'assistant',
  'assessment',
  'classic',
  'therapist',
  'cocktail',
  'shuttlecock',
  'dickens',
  'shiitake',
  'analysis',
  'titmouse',
  'penistone',
  'hello',
  'bbc',
  'pass',
  'passive',
  'glass',
  'grass',
  'bass',
  'class',
  'assignment',
  'cockpit',
  'scrap',
  'hell',
  'sextant',
  'хлебать',
  'колебаться',
  'употреблять',
  'оскорблять',
  'сабля',
  'корабля',
  'рубля',
  'потребитель',
  'погибла',
  'команда',
  'мандарины',
  'командировка',
  'подстрахуйте',
  'хулиганы',
  'скипидар',
  'шлю',
  'процедура',
  'суккуленты',
  'плохо',
  'лохматый',
  'учебник',
  'учеба',
  'учёба',
  'требуется',
]);

type Compiled = { pattern: RegExp; ok: (word: string) => boolean };

/** bad-words-next patterns: `*` any letters, `+` the letter repeated, `_` an optional separator. */
function compile(words: readonly string[], prefixes?: string): RegExp {
  const sources = words.map((word) =>
    (prefixes ? word.replace(/^\*/, prefixes) : word)
      .replace(/[.?^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '\\p{L}*')
      .replace(/_/g, '')
      .replace(/\+/g, '+'),
  );
  return new RegExp(`^(?:${sources.join('|')})$`, 'u');
}

let packageLexicon: { latin: Compiled; cyrillic: Compiled } | undefined;

function lexicon(): { latin: Compiled; cyrillic: Compiled } {
  if (packageLexicon) return packageLexicon;
  // The package is used for its dictionaries; its own matcher (regex over the whole text) is too slow.
  void BadWordsNext;
  const latin = compile([...enData.words, ...ruLatData.words]);
  // A leading `*` in the Russian dictionary stands for a prefix («за», «на», …), not for any letters:
  // otherwise «вышибалы» or «хлебать» match.
  const cyrillic = compile(
    ruData.words,
    '(?:за|на|по|от|у|вы|до|при|раз|рас|о|об|недо|пере|под|из|съ|разъ|подъ)?',
  );
  packageLexicon = {
    latin: { pattern: latin, ok: (word) => !INNOCENT.has(word) },
    cyrillic: {
      pattern: cyrillic,
      ok: (word) => !INNOCENT.has(word) && !/^(?:хлеб|колеб|потреб|учеб|треб)/.test(word),
    },
  };
  return packageLexicon;
}

function masked(token: Token): string | undefined {
  if (!token.raw.includes('*') || !/\p{L}/u.test(token.raw)) return undefined;
  const lower = token.raw.toLowerCase();
  const shape = new RegExp(
    `^${lower.replace(/[.?^${}()|[\]\\+]/g, '').replace(/\*+/g, '\\p{L}{1,4}')}$`,
    'u',
  );
  return MASKED_TARGETS.find((word) => shape.test(word) || shape.test(word.replace(/^f/, 'ph')));
}

function inQuotes(index: number, quotes: [number, number][]): boolean {
  return quotes.some(([from, to]) => index > from && index < to);
}

const CYRILLIC_WORD = /[а-я]/;
const LATIN_WORD = /[a-z]/;

/**
 * Whether any entry of a lexicon can match: one pass of the entries' patterns joined, so an ordinary word
 * costs one test instead of one per entry. Patterns with and without the `u` flag are joined apart (the
 * flag changes what some of them mean); no entry may use a backreference (`\1` would name another group
 * once joined).
 */
function anyOf(entries: readonly LexiconEntry[]): (word: string) => boolean {
  const joined = (unicode: boolean) => {
    const sources = entries
      .filter((entry) => entry.pattern.unicode === unicode)
      .map((entry) => entry.pattern.source);
    const numbered = sources.find((source) => /\\[1-9]/.test(source));
    if (numbered) throw new Error(`a lexicon pattern uses a backreference: /${numbered}/`);
    return sources.length
      ? new RegExp(sources.map((source) => `(?:${source})`).join('|'), unicode ? 'u' : '')
      : null;
  };
  const plain = joined(false);
  const unicode = joined(true);
  return (word) => (plain?.test(word) ?? false) || (unicode?.test(word) ?? false);
}

const MAYBE_RUSSIAN = anyOf(RUSSIAN);
const MAYBE_ENGLISH = anyOf(ENGLISH);

export function findInsults(text: string, tokens: readonly Token[], quotes: [number, number][]): InsultHit[] {
  const hits: InsultHit[] = [];
  let lower: string | undefined;
  let reported: boolean | undefined;
  const { latin, cyrillic } = lexicon();
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as Token;
    const next = tokens[i + 1];
    const previous = tokens[i - 1];
    let hit: LexiconEntry | undefined;
    if (CYRILLIC_WORD.test(token.ru) && MAYBE_RUSSIAN(token.ru))
      hit = RUSSIAN.find((entry) => entry.pattern.test(token.ru));
    if (!hit && LATIN_WORD.test(token.en) && MAYBE_ENGLISH(token.en))
      hit = ENGLISH.find((entry) => entry.pattern.test(token.en));
    if (!hit) {
      const target = masked(token);
      if (target) {
        hits.push({ id: `masked:${target}`, strength: 'strong' });
        continue;
      }
    }
    if (!hit) {
      const word = token.plain;
      if (INNOCENT.has(word) || INNOCENT.has(token.ru) || INNOCENT.has(token.en)) continue;
      if (LATIN_WORD.test(word) && latin.pattern.test(word) && latin.ok(word)) {
        hits.push({ id: `package:${word}`, strength: 'strong' });
      } else if (CYRILLIC_WORD.test(token.ru) && cyrillic.pattern.test(token.ru) && cyrillic.ok(token.ru)) {
        hits.push({ id: `package:${token.ru}`, strength: 'strong' });
      }
      continue;
    }
    if (INNOCENT.has(token.plain)) continue;
    if (hit.strength === 'mild') {
      lower ??= text.toLowerCase();
      reported ??= REPORTED.test(lower);
      if (inQuotes(token.index, quotes) || reported) continue;
      const around = `${previous?.ru ?? ''} ${previous?.en ?? ''} ${next?.ru ?? ''} ${next?.en ?? ''}`;
      if (LITERAL_CONTEXT.test(around) || (hit.id === 'ru:козел' && LITERAL_CONTEXT.test(lower))) continue;
      // «Dick», «Moby Dick»: a name, not an insult, unless the whole message shouts.
      if (hit.id === 'en:dick' && /^\p{Lu}/u.test(token.raw) && token.raw !== token.raw.toUpperCase())
        continue;
      if (hit.id === 'en:stupid' && !aimed(tokens, i)) continue;
    }
    hits.push({ id: hit.id, strength: hit.strength });
  }
  return hits;
}

/** "stupid" is an insult when it is said of someone: "you (are|'re) (so)? stupid", "stupid bitch". */
function aimed(tokens: readonly Token[], index: number): boolean {
  const before = tokens
    .slice(Math.max(0, index - 3), index)
    .map((token) => token.en)
    .join(' ');
  return /\b(?:you|youre|u|ur|so|such|are|is)\b/.test(before);
}
