import { setTimeout as sleep } from 'node:timers/promises';

interface Bucket {
  /** Failures not yet drained; drains at REFILL_PER_S. */
  level: number;
  at: number;
  waiting: number;
}

/**
 * Slows the answers to wrong keys from one address, so that a page or a
 * local process cannot try keys at full speed. The key check itself runs at
 * once for every request and a right key is never held: only a 401 waits.
 * A burst of failures (a person mistyping, a script with an old key) is free;
 * beyond it each 401 waits until the address is back under the burst, so its
 * guesses come at most REFILL_PER_S a second. Memory is bounded: a few
 * numbers per address, at most MAX_ADDRESSES of them (the least recently
 * failing go first), and at most MAX_WAITING answers held per address (more
 * are dropped unanswered, which tells a guesser nothing).
 */
export class AuthBackoff {
  static readonly BURST = 20;
  static readonly REFILL_PER_S = 10;
  static readonly MAX_WAIT_MS = 2_000;
  static readonly MAX_WAITING = 16;
  static readonly MAX_ADDRESSES = 4096;

  readonly #buckets = new Map<string, Bucket>();

  get size(): number {
    return this.#buckets.size;
  }

  /** Count a failure from `address`: how long its 401 waits (ms), or -1 to drop it unanswered. */
  failed(address: string, now = Date.now()): number {
    const old = this.#buckets.get(address);
    const b: Bucket = old ?? { level: 0, at: now, waiting: 0 };
    b.level = Math.max(0, b.level - ((now - b.at) / 1000) * AuthBackoff.REFILL_PER_S) + 1;
    b.at = now;
    // Re-inserted, so the map's order is least recently failing first.
    this.#buckets.delete(address);
    this.#buckets.set(address, b);
    if (this.#buckets.size > AuthBackoff.MAX_ADDRESSES) this.#buckets.delete(this.#buckets.keys().next().value!);
    const over = b.level - AuthBackoff.BURST;
    if (over <= 0) return 0;
    if (b.waiting >= AuthBackoff.MAX_WAITING) return -1;
    return Math.min(AuthBackoff.MAX_WAIT_MS, (over / AuthBackoff.REFILL_PER_S) * 1000);
  }

  /** Count a failure and wait its turn; false when the connection should be dropped without an answer. */
  async refuse(address: string): Promise<boolean> {
    const ms = this.failed(address);
    if (ms <= 0) return ms === 0;
    const b = this.#buckets.get(address);
    if (b) b.waiting++;
    try {
      await sleep(ms, undefined, { ref: false });
    } finally {
      if (b) b.waiting--;
    }
    return true;
  }
}
