import { describe, expect, it } from 'vitest';
import { findRule, formatRules, parseRules, RULES_LIMITS } from '../../src/moderation/rules.js';

describe('4.13.4 the chat’s rules: parsed, numbered and cited by number', () => {
  it.each([
    ['Be polite\nNo ads', ['Be polite', 'No ads']],
    ['1. Be polite\n2) No ads\n3 - Stay on topic', ['Be polite', 'No ads', 'Stay on topic']],
    ['- Be polite\n• No ads\n\n\n  * Stay   on topic  ', ['Be polite', 'No ads', 'Stay on topic']],
    ['1.Будьте вежливы\r\n2.Без рекламы', ['Будьте вежливы', 'Без рекламы']],
    ['2026 год — год семьи', ['2026 год — год семьи']],
  ])('parses %j', (text, rules) => {
    expect(parseRules(text)).toEqual({ ok: true, rules });
  });

  it.each([
    ['', 'empty'],
    ['\n  \n1.\n', 'empty'],
    [Array.from({ length: RULES_LIMITS.maxRules + 1 }, (_, i) => `rule ${i}`).join('\n'), 'too_many'],
    ['x'.repeat(RULES_LIMITS.maxRuleLength + 1), 'rule_too_long'],
    [Array.from({ length: 10 }, () => 'y'.repeat(RULES_LIMITS.maxRuleLength)).join('\n'), 'too_long'],
  ])('refuses %#: %s', (text, problem) => {
    expect(parseRules(text)).toEqual({ ok: false, problem });
  });

  it('numbers rules from 1', () => {
    expect(formatRules(['Be polite', 'No ads'])).toBe('1. Be polite\n2. No ads');
  });

  it.each([
    ['2', { number: 2, text: 'No ads' }],
    [' 1 ', { number: 1, text: 'Be polite' }],
    ['п.2', { number: 2, text: 'No ads' }],
    ['№1', { number: 1, text: 'Be polite' }],
    ['#2', { number: 2, text: 'No ads' }],
    ['3', undefined],
    ['0', undefined],
    ['two', undefined],
    ['', undefined],
    ['1.5', undefined],
  ])('rule %j → %j', (typed, expected) => {
    expect(findRule(['Be polite', 'No ads'], typed)).toEqual(expected);
  });
});
