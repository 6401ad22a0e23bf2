import type { MessengerError } from '../port.js';

/** A call that succeeded this recently says the API answers; /healthz asks again only after that. */
const FRESH_MS = 60_000;

/**
 * Whether a platform's API answers, as the connector's own calls show it: unreachable after a network
 * or server failure, until a call succeeds again. `/healthz` reads it, probing only when in doubt.
 */
export class Reachability {
  private lastSuccessAt = 0;
  private unreachableSince: number | undefined;

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
    try {
      await probe();
      return true;
    } catch {
      return false;
    }
  }
}
