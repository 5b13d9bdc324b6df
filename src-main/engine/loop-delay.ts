import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

interface Monitor {
  readonly histogram: IntervalHistogram;
  readonly resolutionMs: number;
}

function monitor(resolutionMs: number): Monitor {
  const histogram = monitorEventLoopDelay({ resolution: resolutionMs });
  histogram.enable();
  return { histogram, resolutionMs };
}

/**
 * How late the event loop runs, from Node's monitor: sampled finely while
 * someone watches and coarsely otherwise, since each sample wakes the
 * process. The monitor records each interval between its timer's runs,
 * resolution included; the delay is what exceeds the resolution.
 */
export class LoopDelay {
  #current: Monitor;
  /** The monitor before the last change of resolution, read until the new one has a sample. */
  #before: Monitor | null = null;

  constructor(resolutionMs: number) {
    this.#current = monitor(resolutionMs);
  }

  setResolution(resolutionMs: number): void {
    if (resolutionMs === this.#current.resolutionMs) return;
    this.#before?.histogram.disable();
    this.#current.histogram.disable();
    this.#before = this.#current;
    this.#current = monitor(resolutionMs);
  }

  /** Delay at percentile `p` (0..100) since the last reset, ms, 2 decimals. */
  percentileMs(p: number): number {
    if (this.#before && this.#current.histogram.count) this.#before = null;
    const m = this.#before ?? this.#current;
    if (!m.histogram.count) return 0;
    const ms = m.histogram.percentile(p) / 1e6 - m.resolutionMs;
    return Math.max(0, Math.round(ms * 100) / 100);
  }

  reset(): void {
    this.#current.histogram.reset();
  }

  close(): void {
    this.#current.histogram.disable();
    this.#before?.histogram.disable();
  }
}
