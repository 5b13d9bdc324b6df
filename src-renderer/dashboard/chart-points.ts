import { RingBuffer, windowSlice } from './ring-buffer.js';

/**
 * Points a chart draws over its window: one per ~17 px of a card, and so a
 * redraw every window/30 (10 s of the default 5 minutes). A redraw, not the
 * points, is what a chart costs: each is a whole Recharts render, and at 60
 * points (a redraw every 5 s) they kept the open tab above 2% of a core.
 */
export const CHART_POINTS = 30;

/**
 * One window's chart points, kept as snapshots arrive: the first snapshot of
 * each time bucket (window / CHART_POINTS, at least a second) is appended and
 * the rest of that bucket is skipped. So the drawn array changes once per
 * bucket, not once per snapshot, and a chart memoised on it redraws only
 * then. Real snapshots are picked rather than averaged: a snapshot mixes
 * counters and gauges, and a picked one stays self-consistent (its hits and
 * misses add up).
 */
export class ChartPoints<T extends { readonly t: number }> {
  readonly bucketMs: number;
  readonly #kept: RingBuffer<T>;
  #drawn: readonly T[] = [];

  constructor(readonly windowMs: number) {
    this.bucketMs = Math.max(1000, Math.ceil(windowMs / CHART_POINTS));
    this.#kept = new RingBuffer<T>(Math.ceil(windowMs / this.bucketMs) + 1);
  }

  /** Feed the next snapshot (time-ordered); true when the drawn points changed. */
  push(item: T): boolean {
    const last = this.#kept.last();
    if (last && Math.floor(item.t / this.bucketMs) <= Math.floor(last.t / this.bucketMs)) return false;
    this.#kept.push(item);
    this.#drawn = windowSlice(this.#kept, this.windowMs);
    return true;
  }

  /** Oldest first; the same array until the next bucket opens. */
  get points(): readonly T[] {
    return this.#drawn;
  }
}
