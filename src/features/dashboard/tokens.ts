import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A new secret for a link, a session or a CSRF token: 32 random bytes, URL-safe. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** What is stored of a secret: its SHA-256, hex. A secret that is not of our shape still hashes. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Whether a presented secret has our shape (43 URL-safe characters) — anything else is refused unread. */
export function wellFormed(secret: string | undefined): secret is string {
  return secret !== undefined && /^[A-Za-z0-9_-]{43}$/.test(secret);
}

/** Compares two secrets in constant time. */
export function sameSecret(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && presented.length === expected.length;
}
