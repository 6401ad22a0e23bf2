import { createHash } from 'node:crypto';
import { z } from 'zod';

// The configuration of personal data (152-ФЗ): retention defaults and the key of roster ids' hashes.

const emptyAsUndefined = (value: unknown) => (value === '' ? undefined : value);

/** A retention period in days (152-ФЗ): 1 day to 100 years. */
export const days = (fallback: number) =>
  z.preprocess(
    emptyAsUndefined,
    z.coerce
      .number({ message: 'must be a number of days' })
      .int({ message: 'must be a whole number of days' })
      .min(1, { message: 'must be between 1 and 36500 days' })
      .max(36_500, { message: 'must be between 1 and 36500 days' })
      .default(fallback),
  );

/** Retention defaults and the key of the roster ids' hashes (README "Personal data"). */
export interface PersonalDataConfig {
  strikeDays: number;
  departedDays: number;
  auditDays: number;
  /** Keys the hashes of roster ids kept after erasure; never stored in the repository or the database. */
  key: string;
}

export const DEFAULT_PERSONAL_DATA: PersonalDataConfig = {
  strikeDays: 365,
  departedDays: 30,
  auditDays: 1095,
  key: 'ccm-personal-data:no-platform-token',
};

/** PERSONAL_DATA_KEY, or else a key derived from the platform tokens (secret, the same on every replica). */
export function personalDataKey(env: {
  PERSONAL_DATA_KEY?: string | undefined;
  BOT_TOKEN?: string | undefined;
  VK_TOKEN?: string | undefined;
  MAX_TOKEN?: string | undefined;
}): string {
  if (env.PERSONAL_DATA_KEY) return env.PERSONAL_DATA_KEY;
  const tokens = [env.BOT_TOKEN, env.VK_TOKEN, env.MAX_TOKEN].filter(Boolean).join('|');
  return tokens
    ? `ccm-personal-data:${createHash('sha256').update(tokens).digest('hex')}`
    : DEFAULT_PERSONAL_DATA.key;
}
