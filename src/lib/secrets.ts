/**
 * Compares a secret someone sent with ours in constant time, so the comparison leaks nothing but whether
 * the lengths differ (as `crypto.timingSafeEqual`, which refuses buffers of different lengths): the loop
 * never stops early. It allocates nothing, since every webhook request of every chat passes through it.
 */
export function safeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i += 1) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}
