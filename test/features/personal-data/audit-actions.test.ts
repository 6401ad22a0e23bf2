import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS } from '../../../src/db/repos/audit.js';

const locale = (language: 'ru' | 'en'): { act: { action: Record<string, string> } } =>
  JSON.parse(readFileSync(new URL(`../../../locales/${language}/translation.json`, import.meta.url), 'utf8'));

/**
 * Issue 17: the destruction act's extract from the event log prints every action in words. A new audit
 * action cannot be forgotten: it must be in AUDIT_ACTIONS (the type is derived from it), and then here.
 */
describe('the destruction act names every audit action in words', () => {
  it.each(['ru', 'en'] as const)(
    '%s: every audit action has act.action.<code>, and nothing else does',
    (language) => {
      const words = locale(language).act.action;
      const missing = AUDIT_ACTIONS.filter((code) => !words[code]?.trim());
      expect(missing, `audit actions without words in locales/${language}`).toEqual([]);
      const stale = Object.keys(words).filter((code) => !(AUDIT_ACTIONS as readonly string[]).includes(code));
      expect(stale, `act.action keys for no audit action in locales/${language}`).toEqual([]);
      for (const code of AUDIT_ACTIONS) expect(words[code]).not.toMatch(/_/);
    },
  );

  it('Russian words are Russian, and differ per action', () => {
    const words = Object.values(locale('ru').act.action);
    for (const word of words) expect(word).toMatch(/^[а-яё]/);
    expect(new Set(words).size).toBe(words.length);
  });
});
