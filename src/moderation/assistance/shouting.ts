import { visible } from './normalize.js';

/**
 * Shouting (pure): a message of at least 10 letters, at least 60 % of them capitals, not counting links
 * and @names. Short abbreviations (ЕГЭ, МЧС, NASA) and a single capitalised word do not shout.
 */
export const SHOUTING = { minLetters: 10, capitalShare: 0.6 } as const;

/** Capitals in any form (a letter with a lower case): the words' capitals are a part of them. */
const CAPITAL = /[\p{Lu}\p{Lt}]/gu;

export function isShouting(text: string): boolean {
  // At least 10 letters, 60 % of them capitals: fewer than 6 capitals in the whole text cannot shout,
  // which settles nearly every message without splitting it into words.
  let capitalsAnywhere = 0;
  CAPITAL.lastIndex = 0;
  while (CAPITAL.exec(text) !== null) if (++capitalsAnywhere >= 6) break;
  if (capitalsAnywhere < 6) return false;
  const words = visible(text)
    .replace(/\b(?:https?:\/\/|www\.)\S+/giu, ' ')
    .replace(/\S+\.(?:ru|com|me|ly|cc|su|org)\/\S*/giu, ' ')
    .replace(/@\w+/gu, ' ')
    .split(/\s+/)
    .map((word) => word.replace(/[^\p{L}]/gu, ''))
    .filter(Boolean);
  let letters = 0;
  let capitals = 0;
  let capitalWords = 0;
  for (const word of words) {
    letters += word.length;
    const upper = [...word].filter((char) => char !== char.toLowerCase()).length;
    capitals += upper;
    if (word.length >= 2 && upper === word.length) capitalWords++;
  }
  if (letters < SHOUTING.minLetters || capitals / letters < SHOUTING.capitalShare) return false;
  // One word in capitals («СПАСИБО!!!») is joy, not shouting.
  return capitalWords >= 2;
}
