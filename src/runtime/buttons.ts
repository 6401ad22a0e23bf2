import type { ButtonPressed } from '../messenger/port.js';
import type { Services, Work } from './services.js';

/** How a button press is answered: a short note, or a dialog the person must close (`alert`). */
export interface ButtonAnswer {
  text?: string;
  alert?: boolean;
}

/**
 * A feature's buttons: the callback data's prefix, the pattern of what follows it (its groups are
 * handed to the use case: ids, a choice), and the use case. Data stays under Telegram's 64 bytes; what does not parse is unknown.
 */
export interface ButtonRoute {
  prefix: string;
  pattern: RegExp;
  /**
   * What the use case needs from the platform, asked before its transaction opens (a network call must
   * not hold database locks); its result is handed to `handle`.
   */
  prepare?(services: Services, event: ButtonPressed, groups: string[]): Promise<unknown>;
  handle(
    services: Services,
    work: Work,
    event: ButtonPressed,
    groups: string[],
    prepared: unknown,
  ): Promise<ButtonAnswer>;
}
