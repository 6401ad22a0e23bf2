/**
 * Comparing what people saw in two runs of the school day, with the extra copies that lost answers make
 * counted rather than hidden.
 *
 * A message is described by the text it was sent with and the text it shows now (a vote's message is
 * edited with its result). When Telegram sent a message but its answer was lost, the bot sends it again:
 * the first copy stays as it was sent (the bot never learned its id, so it is never edited or deleted).
 * Such a copy is an extra: a message of the faulty run that the clean run does not have, sent with a text
 * the clean run also sent to the same place. Anything else that differs is a real difference.
 */

import type { FakeBotApi } from '../../src/sandbox/telegram/index.js';

/**
 * What the bot showed in one chat (a group, or a person's private chat): every message it sent there, the
 * ones deleted since marked so (a greeting is deleted once accepted; an extra copy of it is not).
 */
export function seenIn(api: FakeBotApi, chatId: number): Seen[] {
  let messages: ReturnType<FakeBotApi['messages']>;
  try {
    messages = api.messages(chatId);
  } catch {
    // Someone who never opened a private chat with the bot has none in the fake.
    return [];
  }
  return messages
    .filter((message) => message.fromBot && message.service === undefined)
    .map((message) => ({
      sent: mask(message.history[0]?.text ?? ''),
      now: mask(message.text ?? ''),
      ...(message.deleted && { deleted: true }),
    }));
}

/** Masks what legitimately differs between runs: times, random links. */
export function mask(text: string): string {
  return text
    .replace(/\d{1,2} [а-яё]+ \d{4} г\.(,| в) \d{1,2}:\d{2}/g, '<time>')
    .replace(/\d{1,2}:\d{2}/g, '<time>')
    .replace(/https:\/\/t\.me\/\+\S+/g, '<link>');
}

/** A message as a person sees it: the text it was sent with and the text it shows now. */
export interface Seen {
  readonly sent: string;
  readonly now: string;
  /** Deleted since: nobody sees it any more, but the bot did send it. */
  readonly deleted?: boolean;
}

/** What the faulty run showed somewhere compared with the clean run. */
export interface Difference {
  /** Messages of the faulty run the clean run lacks, each an extra copy of one the clean run sent. */
  readonly extra: Seen[];
  /** Messages the clean run showed that the faulty run did not: lost effects. */
  readonly missing: Seen[];
  /** Messages of the faulty run the clean run lacks and that copy nothing it sent. */
  readonly unexpected: Seen[];
  /**
   * Of those, the bot's notices that Telegram kept refusing an action (a lift that failed for good and will be
   * tried again): they exist only under faults, and are counted apart, not taken for agreement.
   */
  readonly notices: Seen[];
}

/**
 * The bot's notices that the messenger refused an action for good, for a reason other than its rights
 * (block.why_refused in the report of a failed action or a lift that will be tried again).
 */
const FAULT_NOTICE = /мессенджер не дал выполнить это действие/;

/**
 * A live message is known by the text it was sent with and the text it shows now; a deleted one by the
 * text it was sent with alone: nobody sees it any more, and what it said in between (a greeting edited
 * as newcomers come and accept) depends on how the moments fell.
 */
const key = (message: Seen) =>
  message.deleted ? `${message.sent}\u0000deleted` : `${message.sent}\u0000${message.now}`;

/**
 * Matches the bot's messages in one place in the faulty run against the clean run's, as multisets (deleted
 * ones too: a delete that was lost is a missing deleted message). An unmatched live message is an extra
 * copy if the clean run sent its text there (and maybe deleted it since).
 */
export function compareSeen(clean: readonly Seen[], faulty: readonly Seen[]): Difference {
  const left = new Map<string, number>();
  for (const message of clean) left.set(key(message), (left.get(key(message)) ?? 0) + 1);
  const unmatched: Seen[] = [];
  for (const message of faulty) {
    const n = left.get(key(message)) ?? 0;
    if (n > 0) left.set(key(message), n - 1);
    else unmatched.push(message);
  }
  const missing = clean.filter((message) => {
    const n = left.get(key(message)) ?? 0;
    if (n === 0) return false;
    left.set(key(message), n - 1);
    return true;
  });
  const sentTexts = new Set(clean.map((message) => message.sent));
  const foreign = unmatched.filter((message) => message.deleted || !sentTexts.has(message.sent));
  return {
    extra: unmatched.filter((message) => !message.deleted && sentTexts.has(message.sent)),
    missing,
    unexpected: foreign.filter((message) => !FAULT_NOTICE.test(message.sent)),
    notices: foreign.filter((message) => FAULT_NOTICE.test(message.sent)),
  };
}

/** Every place (a chat or a person) compared; places only one run has count with an empty list. */
export function compareAll(
  clean: ReadonlyMap<string, readonly Seen[]>,
  faulty: ReadonlyMap<string, readonly Seen[]>,
): { extraCopies: number; notices: number; differences: Record<string, Difference> } {
  const differences: Record<string, Difference> = {};
  let extraCopies = 0;
  let notices = 0;
  for (const place of new Set([...clean.keys(), ...faulty.keys()])) {
    const difference = compareSeen(clean.get(place) ?? [], faulty.get(place) ?? []);
    extraCopies += difference.extra.length;
    notices += difference.notices.length;
    const { extra, missing, unexpected } = difference;
    if (extra.length + missing.length + unexpected.length + difference.notices.length > 0)
      differences[place] = difference;
  }
  return { extraCopies, notices, differences };
}

/**
 * The differences that are not counted extra copies: what must be empty for the runs to agree. A message
 * the faulty run lacks is no difference when that run recorded its send as failed for good in the same
 * place (`failedSends`, masked texts): retried until its attempts ran out and recorded, not lost.
 */
export function realDifferences(
  differences: Record<string, Difference>,
  failedSends: ReadonlyMap<string, readonly string[]> = new Map(),
): Record<string, Difference> {
  const real: Record<string, Difference> = {};
  for (const [place, difference] of Object.entries(differences)) {
    const recorded = [...(failedSends.get(place) ?? [])];
    const missing = difference.missing.filter((message) => {
      const at = recorded.indexOf(message.sent);
      if (at < 0) return true;
      recorded.splice(at, 1);
      return false;
    });
    if (missing.length + difference.unexpected.length > 0) real[place] = { ...difference, missing };
  }
  return real;
}
