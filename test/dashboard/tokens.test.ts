import { describe, expect, it } from 'vitest';
import { hashSecret, newSecret, sameSecret, wellFormed } from '../../src/features/dashboard/tokens.js';

describe('dashboard secrets', () => {
  it('makes 32 random bytes, URL-safe, never the same twice', () => {
    const secrets = new Set(Array.from({ length: 200 }, () => newSecret()));
    expect(secrets.size).toBe(200);
    for (const secret of secrets) expect(wellFormed(secret)).toBe(true);
  });

  it('stores only a SHA-256 that does not contain the secret', () => {
    const secret = newSecret();
    const hash = hashSecret(secret);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toContain(secret);
    expect(hashSecret(secret)).toBe(hash);
    expect(hashSecret(newSecret())).not.toBe(hash);
  });

  it('refuses anything not of the shape of a secret before looking it up', () => {
    for (const bad of [
      undefined,
      '',
      'short',
      `${newSecret()}x`,
      `${newSecret().slice(0, 42)}%`,
      '../../etc/passwd',
    ]) {
      expect(wellFormed(bad)).toBe(false);
    }
  });

  it('compares secrets exactly', () => {
    const secret = newSecret();
    expect(sameSecret(secret, secret)).toBe(true);
    expect(
      sameSecret(
        `${secret.slice(0, -1)}A` === secret ? `${secret.slice(0, -1)}B` : `${secret.slice(0, -1)}A`,
        secret,
      ),
    ).toBe(false);
    expect(sameSecret(undefined, secret)).toBe(false);
    expect(sameSecret('', secret)).toBe(false);
  });
});
