/**
 * A chat's rules: numbered, one per line (regulation 4.13.3, 4.13.4). Strikes cite them by number
 * (4.13.7), so numbering is part of the contract.
 */

export const RULES_LIMITS = { maxRules: 30, maxRuleLength: 400, maxTotalLength: 3500 } as const;

export type RulesProblem = 'empty' | 'too_many' | 'rule_too_long' | 'too_long';

export type ParsedRules = { ok: true; rules: string[] } | { ok: false; problem: RulesProblem };

/** "1. Be polite", "1) Be polite", "1 - Be polite", "- Be polite" → "Be polite". */
const LEADING_MARK = /^\s*(?:\d{1,3}\s*[.)\-:]\s*|[-•*–—]\s+)/u;

/** Turns the text a moderator sends with `/setrules` into numbered rules. */
export function parseRules(text: string): ParsedRules {
  const rules = text
    .split(/\r?\n/)
    .map((line) => line.replace(LEADING_MARK, '').replace(/\s+/g, ' ').trim())
    .filter((line) => line.length > 0);
  if (rules.length === 0) return { ok: false, problem: 'empty' };
  if (rules.length > RULES_LIMITS.maxRules) return { ok: false, problem: 'too_many' };
  if (rules.some((rule) => rule.length > RULES_LIMITS.maxRuleLength))
    return { ok: false, problem: 'rule_too_long' };
  if (rules.join('\n').length > RULES_LIMITS.maxTotalLength) return { ok: false, problem: 'too_long' };
  return { ok: true, rules };
}

export function formatRules(rules: readonly string[]): string {
  return rules.map((rule, index) => `${index + 1}. ${rule}`).join('\n');
}

/** The rule a strike cites, by its number as the moderator typed it; undefined if there is no such rule. */
export function findRule(
  rules: readonly string[],
  typed: string,
): { number: number; text: string } | undefined {
  const cleaned = typed.trim().replace(/^(?:п\.?|rule|правило|№|#)\s*/iu, '');
  if (!/^\d{1,3}$/.test(cleaned)) return undefined;
  const number = Number(cleaned);
  const text = rules[number - 1];
  return text === undefined ? undefined : { number, text };
}
