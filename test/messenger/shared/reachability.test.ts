import { afterEach, describe, expect, it, vi } from 'vitest';
import { MessengerError } from '../../../src/messenger/port.js';
import { Reachability } from '../../../src/messenger/shared/reachability.js';

function deferred() {
  let settle!: (ok: boolean) => void;
  const promise = new Promise<void>((resolve, reject) => {
    settle = (ok) => (ok ? resolve() : reject(new MessengerError('NETWORK', 'down')));
  });
  return { promise, settle };
}

describe('Reachability', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs one probe for many concurrent checks, and shares its answer', async () => {
    const reachability = new Reachability();
    const pending = deferred();
    const probe = vi.fn(() => pending.promise);
    const checks = Array.from({ length: 50 }, () => reachability.check(probe));
    pending.settle(true);
    expect(await Promise.all(checks)).toEqual(Array(50).fill(true));
    expect(probe).toHaveBeenCalledTimes(1);
  });

  it('keeps a failed probe’s answer for a few seconds, then asks again', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const reachability = new Reachability();
    reachability.failed(new MessengerError('NETWORK', 'down'));
    const probe = vi.fn(() => Promise.reject(new MessengerError('NETWORK', 'down')));
    expect(await reachability.check(probe)).toBe(false);
    for (let i = 0; i < 20; i += 1) expect(await reachability.check(probe)).toBe(false);
    expect(probe).toHaveBeenCalledTimes(1);
    vi.setSystemTime(Date.now() + 10_000);
    expect(await reachability.check(probe)).toBe(false);
    expect(probe).toHaveBeenCalledTimes(2);
  });

  it('answers at once, without probing, while a call succeeded within the last minute', async () => {
    const reachability = new Reachability();
    reachability.succeeded();
    const probe = vi.fn(() => Promise.resolve());
    expect(await reachability.check(probe)).toBe(true);
    expect(probe).not.toHaveBeenCalled();
  });
});
