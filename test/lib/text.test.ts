import { describe, expect, it } from 'vitest';
import { isCleanText, neutralName, storable } from '../../src/lib/text.js';
import { detectEntities } from '../../src/sandbox/telegram/formatting.js';

describe('text from outside', () => {
  it.each([
    ['Анна Петрова', true],
    ['Anna\u0000', false],
    ['Иван\uD800', false],
    ['\uDC00Иван', false],
    ['Семья 😀', true],
    ['two\nlines', false],
  ])('%j is clean text: %s', (text, clean) => {
    expect(isCleanText(text)).toBe(clean);
  });

  it('keeps line breaks where they are allowed', () => {
    expect(isCleanText('1. Be kind\n2. No ads', { lineBreaks: true })).toBe(true);
  });

  it('makes text storable: no NUL, no lone surrogate', () => {
    expect(storable('a\u0000b\uD800c')).toBe('ab\uFFFDc');
  });

  it.each([
    ['@evil_admin'],
    ['Анна t.me/joinchat/abc'],
    ['Visit https://spam.example'],
    ['www.casino.example'],
  ])('keeps %j from becoming a link or a mention in a message', (name) => {
    expect(
      detectEntities(`Блокировка: ${neutralName(name)}.`).filter((e) => e.type !== 'bot_command'),
    ).toEqual([]);
  });

  it('puts a name on one line in its own reading order, at most 64 characters', () => {
    expect(neutralName('Анна\n\u202EВОРТЕП\u202C  Петрова')).toBe('Анна ВОРТЕП Петрова');
    expect([...neutralName('Я'.repeat(100))]).toHaveLength(64);
  });

  it('leaves an ordinary name as it is', () => {
    expect(neutralName('Анна-Мария Петрова')).toBe('Анна-Мария Петрова');
  });
});
