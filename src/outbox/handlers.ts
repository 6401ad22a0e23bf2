import type { ActionResult } from './actions.js';
import type { ActionError, OutcomeName, Outcomes } from './outcomes.js';
import type { Work } from './work.js';

/** What runs in the transaction that records an action's outcome, by outcome name. */
export interface OutcomeHandler<K extends OutcomeName> {
  done?(work: Work, args: Outcomes[K], result: ActionResult): Promise<void>;
  /**
   * Instead of `done`: every such outcome of a batch of completions at once, in their order (a handler
   * whose work is a few statements per action does them once per batch: a thousand lifts due together).
   */
  doneAll?(work: Work, outcomes: Array<{ args: Outcomes[K]; result: ActionResult }>): Promise<void>;
  failed?(work: Work, args: Outcomes[K], error: ActionError): Promise<void>;
}

/** A handler for every outcome name: the app cannot leave one out. */
export type OutcomeHandlers = { [K in OutcomeName]: OutcomeHandler<K> };
