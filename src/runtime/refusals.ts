import { LRUCache } from 'lru-cache';

/** A person's refused commands in a chat are answered at most `REFUSALS_PER_WINDOW` times a minute. */
export const REFUSAL_WINDOW_MS = 60_000;
export const REFUSALS_PER_WINDOW = 2;

interface Window {
  startedAt: number;
  answered: number;
  /** Refusals left unanswered since the last answer. */
  suppressed: number;
}

/**
 * Answers to refused commands are rate-limited per person and chat: a member who sends forty `/strike`s
 * gets two answers a minute (the next one says how many went unanswered), so refusals cannot flood the
 * chat's message queue. Kept in memory: another replica may answer a little more, which is harmless.
 */
export class RefusalThrottle {
  private readonly windows = new LRUCache<string, Window>({ max: 50_000 });

  /** Whether to answer this refusal now, and how many went unanswered before it. */
  take(key: string, now: number): { answer: boolean; suppressed: number } {
    let window = this.windows.get(key);
    if (!window || now - window.startedAt >= REFUSAL_WINDOW_MS) {
      window = { startedAt: now, answered: 0, suppressed: window?.suppressed ?? 0 };
      this.windows.set(key, window);
    }
    if (window.answered >= REFUSALS_PER_WINDOW) {
      window.suppressed += 1;
      return { answer: false, suppressed: 0 };
    }
    window.answered += 1;
    const suppressed = window.suppressed;
    window.suppressed = 0;
    return { answer: true, suppressed };
  }
}
