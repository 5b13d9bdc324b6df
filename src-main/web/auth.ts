import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Compares keys in constant time. Both sides are hashed first so the
 * comparison takes the same time whatever the lengths (timingSafeEqual
 * itself requires equal lengths and would leak the key's length).
 */
export function keyMatches(given: string | undefined | null, expected: string): boolean {
  if (!given) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export function generateKey(): string {
  return randomBytes(24).toString('base64url');
}

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/**
 * On a loopback bind, refuse requests whose Host header names anything else:
 * a web page that rebinds its own DNS name to 127.0.0.1 must not reach us.
 */
export function hostAllowed(hostHeader: string | undefined, boundHost: string): boolean {
  if (!LOOPBACK_NAMES.has(boundHost) && !boundHost.startsWith('127.')) return true;
  if (!hostHeader) return false;
  const name = hostHeader.startsWith('[') ? hostHeader.slice(0, hostHeader.indexOf(']') + 1) : hostHeader.split(':')[0] ?? '';
  return LOOPBACK_NAMES.has(name) || name.startsWith('127.');
}
