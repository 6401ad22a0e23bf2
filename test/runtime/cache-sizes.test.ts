import { describe, expect, it } from 'vitest';
import { cacheSizes } from '../../src/runtime/cache-sizes.js';

const MB = 2 ** 20;

describe('in-process caches sized to the heap', () => {
  it.each([
    // heap limit, what the caches hold
    [
      'the Docker image (128 MB old space: 131 MB)',
      131 * MB,
      { accounts: 108_444, presentMembers: 109_890, chats: 9_811, chatStates: 2_289 },
    ],
    [
      'Node’s default on this machine (4 GB): a region at full size',
      4144 * MB,
      { accounts: 300_000, presentMembers: 400_000, chats: 20_000, chatStates: 20_000 },
    ],
    [
      'half a gigabyte',
      512 * MB,
      { accounts: 300_000, presentMembers: 400_000, chats: 20_000, chatStates: 8_947 },
    ],
    [
      'a tiny heap keeps the floor',
      16 * MB,
      { accounts: 13_245, presentMembers: 13_421, chats: 1_198, chatStates: 279 },
    ],
    [
      'nothing to speak of still keeps the floor',
      1 * MB,
      { accounts: 5_000, presentMembers: 5_000, chats: 500, chatStates: 200 },
    ],
  ])('%s', (_name, limit, expected) => {
    expect(cacheSizes(limit)).toEqual(expected);
  });

  it('keeps the caches within 40% of the heap they are sized for', () => {
    const bytes = { accounts: 190, presentMembers: 100, chats: 700, chatStates: 6_000 };
    for (const limit of [64 * MB, 131 * MB, 256 * MB]) {
      const sizes = cacheSizes(limit);
      const used = Object.entries(bytes).reduce(
        (sum, [name, per]) => sum + sizes[name as keyof typeof bytes] * per,
        0,
      );
      expect(used).toBeLessThanOrEqual(limit * 0.4);
    }
  });
});
