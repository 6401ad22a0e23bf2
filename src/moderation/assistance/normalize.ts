/**
 * Text normalisation for the flagger (pure): undoes the usual disguises so a lexicon can match word forms.
 * Invisible characters go; Latin look-alikes, digits and symbols become the letters they stand for (one
 * variant per script); separators inside a word and words spelt letter by letter are joined; repeated
 * letters collapse.
 */

const INVISIBLE = /\u00AD|\u034F|\u180E|[\u200B-\u200F]|[\u2060-\u2064]|\uFEFF/g;

/** Latin and digit look-alikes of Cyrillic letters, for Russian words in disguise. */
const TO_CYRILLIC: Record<string, string> = {
  a: 'а',
  b: 'б',
  c: 'с',
  e: 'е',
  k: 'к',
  m: 'м',
  o: 'о',
  p: 'р',
  t: 'т',
  x: 'х',
  y: 'у',
  u: 'и',
  z: 'з',
  h: 'н',
  '0': 'о',
  '3': 'з',
  '6': 'б',
  '1': 'и',
  '4': 'ч',
  '@': 'а',
  '!': 'и',
  $: 'с',
  ё: 'е',
};

/** Cyrillic and digit look-alikes of Latin letters, for English words in disguise. */
const TO_LATIN: Record<string, string> = {
  а: 'a',
  в: 'b',
  е: 'e',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  і: 'i',
  ѕ: 's',
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '@': 'a',
  $: 's',
  '!': 'i',
  '+': 't',
  '|': 'l',
};

const CYRILLIC = /[а-яё]/;
const LATIN = /[a-z]/;

export interface Token {
  /** As written, without invisible characters (for case checks). */
  raw: string;
  /** Lower case, separators removed, read as Russian (look-alikes mapped to Cyrillic), repeats collapsed. */
  ru: string;
  /** The same read as English (look-alikes mapped to Latin), repeats collapsed. */
  en: string;
  /** Lower case, Latin look-alikes kept, repeats not collapsed (for the package lexicon). */
  plain: string;
  /** Index of the first character of the word in the message, for quotes and context. */
  index: number;
}

export function collapseRepeats(word: string): string {
  // Most words repeat no character at all: they need no regular expression. A letter outside the BMP
  // (two UTF-16 units, 0xD800–0xDFFF) is left to it too.
  for (let i = 0; i < word.length; i++) {
    const unit = word.charCodeAt(i);
    if ((i > 0 && unit === word.charCodeAt(i - 1)) || (unit >= 0xd800 && unit <= 0xdfff))
      return word.replace(/(\p{L})\1+/gu, '$1');
  }
  return word;
}

/** The UTF-16 units a table maps (its keys are single units): a word without any of them stays as it is. */
function unitsOf(table: Record<string, string>): Set<number> {
  return new Set(Object.keys(table).map((key) => key.charCodeAt(0)));
}
const MAPPED = new Map([TO_CYRILLIC, TO_LATIN].map((table) => [table, unitsOf(table)]));

function mapChars(word: string, table: Record<string, string>): string {
  const mapped = MAPPED.get(table) as Set<number>;
  let i = 0;
  while (i < word.length && !mapped.has(word.charCodeAt(i))) i++;
  if (i === word.length) return word;
  let out = '';
  for (const char of word) out += table[char] ?? char;
  return out;
}

function strip(word: string): string {
  // Leading and trailing punctuation, but not the stand-ins that may be letters (сучк@, д!ck).
  return word.replace(/^[^\p{L}\d@$*]+/u, '').replace(/[^\p{L}\d@$*]+$/u, '');
}

function readAs(lowerWord: string): { ru: string; en: string } {
  const lower = lowerWord.replace(/[._\-'’]/g, '');
  const hasCyr = CYRILLIC.test(lower);
  const hasLat = LATIN.test(lower);
  const ru = hasCyr || !hasLat ? mapChars(lower, TO_CYRILLIC) : lower.replace(/ё/g, 'е');
  const en = hasLat || !hasCyr ? mapChars(lower, TO_LATIN) : lower;
  return { ru: collapseRepeats(ru), en: collapseRepeats(en.replace(/^ph/, 'f')) };
}

/** The message without invisible characters. */
export function visible(text: string): string {
  return text.replace(INVISIBLE, '');
}

/** Splits a message into words, joining words spelt letter by letter («с у к а», «x y й»). */
export function tokenize(text: string): Token[] {
  const source = visible(text);
  const pieces: { word: string; index: number }[] = [];
  for (const match of source.matchAll(/\S+/g)) {
    const word = strip(match[0]);
    if (word) pieces.push({ word, index: match.index + match[0].indexOf(word.charAt(0)) });
  }
  const joined: { word: string; index: number }[] = [];
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i] as { word: string; index: number };
    if (oneCharacter(piece.word)) {
      let j = i;
      let word = '';
      while (j < pieces.length && oneCharacter((pieces[j] as { word: string }).word)) {
        word += (pieces[j] as { word: string }).word;
        j++;
      }
      if (j - i >= 3) {
        joined.push({ word, index: piece.index });
        i = j - 1;
        continue;
      }
    }
    joined.push(piece);
  }
  return joined.map(({ word, index }) => {
    const lower = word.toLowerCase();
    const { ru, en } = readAs(lower);
    return { raw: word, ru, en, plain: lower.replace(/[._-]/g, ''), index };
  });
}

/** One code point (a letter outside the BMP is two UTF-16 units). */
function oneCharacter(word: string): boolean {
  return word.length === 1 || (word.length === 2 && (word.codePointAt(0) ?? 0) > 0xffff);
}

/**
 * The message as one lower-case line with links written out in words or defanged put back together
 * («t . me / joinchat», «goo(точка)su», «hxxps://clck[.]ru», «bit dot ly slash x»).
 */
export function linkText(text: string): string {
  return visible(text)
    .toLowerCase()
    .replace(/hxxp/g, 'http')
    .replace(
      /\s*(?:\(\s*(?:точка|dot|\.)\s*\)|\[\s*(?:\.|dot|точка)\s*\]|(?<!\p{L})точка(?!\p{L})|\bdot\b)\s*/gu,
      '.',
    )
    .replace(/\s*(?<!\p{L})(?:slash|слэш|слеш)(?!\p{L})\s*/gu, '/')
    .replace(/(\p{L})\s*\.\s*(\p{L})/gu, '$1.$2')
    .replace(/(\p{L})\s*\/\s*(?=[\p{L}\d+])/gu, '$1/')
    .replace(/\/\s*\+\s*/g, '/+');
}

/** Quoted stretches («…», "…", “…”): their character ranges. */
export function quotedRanges(text: string): [number, number][] {
  const ranges: [number, number][] = [];
  for (const match of visible(text).matchAll(/«[^»]*»|"[^"]*"|“[^”]*”|„[^“”]*[“”]/g)) {
    ranges.push([match.index, match.index + match[0].length]);
  }
  return ranges;
}
