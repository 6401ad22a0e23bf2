import { afterAll, beforeAll } from 'vitest';
import { Harness } from './harness.js';

export interface SharedHarness<T> {
  /** The bot of the describe block; only inside its tests. */
  readonly h: Harness;
  /** What `setup` returned. */
  readonly state: T;
}

/**
 * One bot for the tests of a describe block: started and brought to a state by `setup` before them,
 * stopped after them. For tests that each look at that state, or act without changing what the others
 * look at — so each can run alone, and a long setup runs once.
 */
export function sharedHarness<T>(setup: (h: Harness) => Promise<T>): SharedHarness<T> {
  let harness: Harness | undefined;
  let ready = false;
  let state: T;
  beforeAll(async () => {
    harness = await Harness.start();
    state = await setup(harness);
    ready = true;
  });
  afterAll(async () => {
    await harness?.stop();
  });
  return {
    get h() {
      if (!harness) throw new Error('the shared bot is not started: use it inside a test');
      return harness;
    },
    get state() {
      if (!ready) throw new Error('the shared setup has not finished: use it inside a test');
      return state;
    },
  };
}
