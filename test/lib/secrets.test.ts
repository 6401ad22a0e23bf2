import { describe, expect, it } from 'vitest';
import { safeEqual } from '../../src/lib/secrets.js';

describe('comparing a webhook secret', () => {
  it.each([
    ['hook_secret-1', 'hook_secret-1', true],
    ['hook_secret-1', 'hook_secret-2', false],
    ['Hook_secret-1', 'hook_secret-1', false],
    ['hook_secret-1', 'hook_secret-10', false],
    ['hook_secret-10', 'hook_secret-1', false],
    ['', 'hook_secret-1', false],
    ['', '', true],
    ['секрет', 'секрет', true],
    ['секрет', 'секреТ', false],
    // Same length in UTF-16 code units, different characters: one differs only in its high byte.
    ['a\u0161', 'aa', false],
  ])('%j against %j: %s', (sent, ours, same) => {
    expect(safeEqual(sent, ours)).toBe(same);
  });
});
