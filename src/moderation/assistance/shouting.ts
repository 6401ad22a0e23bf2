import { visible } from './normalize.js';

/**
 * Shouting (pure): a message of at least 10 letters, at least 60 % of them capitals, not counting links
 * and @names. Short abbreviations (ЕГЭ, МЧС, NASA) and a single capitalised word do not shout.
 */
export const SHOUTING = { minLetters: 10, capitalShare: 0.6 } as const;

export function isShouting(text: string): boolean {
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
