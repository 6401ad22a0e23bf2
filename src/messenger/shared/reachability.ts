import type { MessengerError } from '../port.js';

/** A call that succeeded this recently says the API answers; /healthz asks again only after that. */
const FRESH_MS = 60_000;

/** How long a probe's answer stands for every check that comes meanwhile (from when it settled). */
const PROBE_ANSWER_MS = 5_000;

/**
 * Whether a platform's API answers, as the connector's own calls show it: unreachable after a network
 * or server failure, until a call succeeds again. `/healthz` reads it, probing only when in doubt, and
 * once for all: checks while a probe is under way wait for that probe, and its answer stands for a few
 * seconds after it, so a burst of health checks makes one call to the platform.
 */
export class Reachability {
  private lastSuccessAt = 0;
  private unreachableSince: number | undefined;
  private probe: { answer: Promise<boolean>; settledAt: number | undefined } | undefined;

  succeeded(): void {
    this.lastSuccessAt = Date.now();
    this.unreachableSince = undefined;
  }

  failed(error: MessengerError): void {
    if (error.code === 'NETWORK' || error.code === 'SERVER') this.unreachableSince ??= Date.now();
  }

  /** True when a recent call succeeded; otherwise whether `probe` (a cheap call) answers now. */
  async check(probe: () => Promise<unknown>): Promise<boolean> {
    if (this.unreachableSince === undefined && Date.now() - this.lastSuccessAt < FRESH_MS) return true;
    const current = this.probe;
    if (current && (current.settledAt === undefined || Date.now() - current.settledAt < PROBE_ANSWER_MS)) {
      return current.answer;
    }
    const next: { answer: Promise<boolean>; settledAt: number | undefined } = {
      answer: probe().then(
        () => true,
        () => false,
      ),
      settledAt: undefined,
    };
    this.probe = next;
    const answer = await next.answer;
    next.settledAt = Date.now();
    return answer;
  }
}
