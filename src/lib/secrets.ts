import { timingSafeEqual } from 'node:crypto';

/** Compares a secret someone sent with ours in constant time, so the comparison leaks nothing. */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
