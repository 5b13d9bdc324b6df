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
// A whole Host header: a name or a bracketed IPv6 literal, then an optional port. Nothing else.
const HOST_HEADER = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::\d{1,5})?$/;

/**
 * On a loopback bind, refuse requests whose Host header names anything but
 * the loopback literals, localhost or the bound address itself: a page that
 * rebinds its own DNS name (`127.0.0.1.evil.com`) to 127.0.0.1 would
 * otherwise be same-origin with us and could read our answers.
 */
export function hostAllowed(hostHeader: string | undefined, boundHost: string): boolean {
  if (!isLoopback(boundHost)) return true;
  const name = HOST_HEADER.exec((hostHeader ?? '').toLowerCase())?.[1];
  if (name === undefined) return false;
  const bound = boundHost.toLowerCase();
  return LOOPBACK_NAMES.has(name) || name === bound || name === `[${bound}]`;
}

function isLoopback(host: string): boolean {
  return LOOPBACK_NAMES.has(host) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
