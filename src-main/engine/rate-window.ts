import type { LatencySummary } from '../../src-shared/resources.js';
import { Histogram } from './histogram.js';

const PERIOD_MS = 1000;
const EMPTY: LatencySummary = { p50: 0, p95: 0, p99: 0 };

/**
 * The last complete second of one figure (count and latency), closed by the
 * clock rather than by a timer: whichever comes first, a record or a read,
 * that finds its second over moves it to "last" (or drops it when a whole
 * second passed with nothing). So the per-second figures are right whether
 * or not a dashboard ticks, and nothing has to wake up to keep them.
 */
export class RateWindow {
  #current = new Histogram();
  #last = new Histogram();
  /** Which second (Date.now() / 1000) `#current` holds. */
  #second = Math.floor(Date.now() / PERIOD_MS);

  record(ms: number, now = Date.now()): void {
    this.#settle(now);
    this.#current.record(ms);
  }

  /** Completed in the last complete second. */
  lastCount(now = Date.now()): number {
    this.#settle(now);
    return this.#last.count;
  }

  lastSummary(now = Date.now()): LatencySummary {
    this.#settle(now);
    return this.#last.count ? this.#last.summary() : EMPTY;
  }

  #settle(now: number): void {
    const second = Math.floor(now / PERIOD_MS);
    if (second === this.#second) return;
    if (second === this.#second + 1) {
      const closed = this.#current;
      this.#current = this.#last;
      this.#last = closed;
    } else this.#last.reset();
    this.#current.reset();
    this.#second = second;
  }
}
