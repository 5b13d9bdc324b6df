import type { LatencySummary } from '../../src-shared/resources.js';

// Log-spaced buckets, 10% apart, from 50 µs to ~10 min: percentiles are
// within 10%, recording is O(1) and a summary is one scan of ~170 slots.
const MIN_MS = 0.05;
const GROWTH = 1.1;
const LOG_GROWTH = Math.log(GROWTH);
const BUCKETS = Math.ceil(Math.log(600_000 / MIN_MS) / LOG_GROWTH) + 1;

export class Histogram {
  readonly #counts = new Uint32Array(BUCKETS);
  #n = 0;
  #sum = 0;

  get count(): number {
    return this.#n;
  }

  /** Total of every recorded value, ms (a Prometheus histogram's _sum). */
  get sum(): number {
    return this.#sum;
  }

  record(ms: number): void {
    const i = ms <= MIN_MS ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log(ms / MIN_MS) / LOG_GROWTH));
    this.#counts[i]!++;
    this.#n++;
    this.#sum += ms;
  }

  /** Fold another histogram's values into this one. */
  add(other: Histogram): void {
    for (let i = 0; i < BUCKETS; i++) this.#counts[i]! += other.#counts[i]!;
    this.#n += other.#n;
    this.#sum += other.#sum;
  }

  reset(): void {
    this.#counts.fill(0);
    this.#n = 0;
    this.#sum = 0;
  }

  /**
   * How many values are at most each bound (ascending, ms): a Prometheus
   * histogram's cumulative buckets, read off these buckets in one scan, so
   * a value near a bound may land on either side of it (within 10%).
   */
  cumulative(boundsMs: readonly number[]): number[] {
    const out: number[] = [];
    let seen = 0;
    let i = 0;
    for (const bound of boundsMs) {
      while (i < BUCKETS && MIN_MS * GROWTH ** i <= bound * (1 + 1e-9)) seen += this.#counts[i++]!;
      out.push(seen);
    }
    return out;
  }

  /** Upper bound of the bucket holding quantile q (0..1), in ms, 2 decimals. */
  quantile(q: number): number {
    if (this.#n === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.#n));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.#counts[i]!;
      if (seen >= rank) return Math.round(MIN_MS * GROWTH ** i * 100) / 100;
    }
    return 0;
  }

  summary(): LatencySummary {
    return { p50: this.quantile(0.5), p95: this.quantile(0.95), p99: this.quantile(0.99) };
  }
}
