import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

describe('PUBLIC_URL', () => {
  it('is optional, and kept without a trailing slash', () => {
    expect(loadConfig({}).publicUrl).toBeUndefined();
    expect(loadConfig({ PUBLIC_URL: 'https://bot.school.ru/' }).publicUrl).toBe('https://bot.school.ru');
  });

  it('refuses what is not an http(s) URL, naming the variable', () => {
    expect(() => loadConfig({ PUBLIC_URL: 'bot.school.ru' })).toThrow(
      /^Configuration error: PUBLIC_URL must be the http\(s\) URL/,
    );
    expect(() => loadConfig({ PUBLIC_URL: 'ftp://bot.school.ru' })).toThrow(/PUBLIC_URL/);
  });
});
