import type { PullLayer, PullProgress } from '../../src-shared/models.js';
import { pullError } from './pull-errors.js';

/** The window over which speed is measured. */
const RATE_WINDOW_MS = 5_000;
/** Samples closer together than this add nothing to the rate (and cost memory at 10 000 lines/s). */
const SAMPLE_EVERY_MS = 100;
/** Less time than this tells no rate yet. */
const RATE_MIN_MS = 500;

interface PullLine {
  status?: unknown;
  digest?: unknown;
  total?: unknown;
  completed?: unknown;
  error?: unknown;
}

export type TrackedProgress = Pick<PullProgress, 'status' | 'completed' | 'total' | 'layers' | 'bytesPerSecond' | 'secondsLeft'>;

/** A byte count from the wire: a finite whole number from 0, else 0. */
function bytesOf(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.min(Math.floor(v), Number.MAX_SAFE_INTEGER) : 0;
}

/**
 * Ollama's /api/pull lines read into one progress: per layer (digest) total
 * and completed, the last status, and the speed and time left over the last
 * few seconds. Numbers are taken as whole bytes and clamped (completed never
 * past total), so odd ones cannot draw a bar past its end.
 */
export class PullTracker {
  readonly name: string;
  readonly #now: () => number;
  readonly #layers = new Map<string, { total: number; completed: number }>();
  readonly #samples: { t: number; bytes: number }[] = [];
  #status = 'starting';
  #lines = 0;
  #succeeded = false;
  #verifying = false;

  constructor(name: string, now: () => number = Date.now) {
    this.name = name;
    this.#now = now;
  }

  /** One line of the stream; an `{"error": …}` line is thrown as the error that says the fix. */
  take(line: unknown): void {
    this.#lines++;
    if (typeof line !== 'object' || line === null) return;
    const l = line as PullLine;
    if (l.error !== undefined && l.error !== null)
      throw pullError(typeof l.error === 'string' ? l.error : JSON.stringify(l.error), this.name);
    if (typeof l.status === 'string') {
      this.#status = l.status.slice(0, 200);
      if (/^verifying|^writing manifest|^removing/i.test(this.#status)) this.#verifying = true;
      if (this.#status === 'success') this.#succeeded = true;
    }
    if (typeof l.digest === 'string' && l.digest.length <= 200) {
      const layer = this.#layers.get(l.digest) ?? { total: 0, completed: 0 };
      if (l.total !== undefined) layer.total = bytesOf(l.total);
      if (l.completed !== undefined) layer.completed = bytesOf(l.completed);
      layer.completed = Math.min(layer.completed, layer.total);
      this.#layers.set(l.digest, layer);
      this.#sample();
    }
  }

  /** Any line arrived: a break after this point is a cut stream, not a refused request. */
  get started(): boolean {
    return this.#lines > 0;
  }

  get succeeded(): boolean {
    return this.#succeeded;
  }

  /** Downloading is over; Ollama checks and writes what it got. */
  get verifying(): boolean {
    return this.#verifying;
  }

  progress(): TrackedProgress {
    const layers: PullLayer[] = [...this.#layers].map(([digest, l]) => ({ digest, total: l.total, completed: l.completed }));
    const { total, completed } = this.#sums();
    const rate = this.#verifying ? null : this.#rate();
    return {
      status: this.#status,
      completed,
      total,
      layers,
      bytesPerSecond: rate,
      secondsLeft: rate && rate > 0 && total > completed ? Math.ceil((total - completed) / rate) : null,
    };
  }

  #sums(): { total: number; completed: number } {
    let total = 0;
    let completed = 0;
    for (const l of this.#layers.values()) {
      total += l.total;
      completed += l.completed;
    }
    return { total, completed };
  }

  #sample(): void {
    const t = this.#now();
    const last = this.#samples[this.#samples.length - 1];
    const bytes = this.#sums().completed;
    if (last && t - last.t < SAMPLE_EVERY_MS) {
      last.bytes = bytes;
      return;
    }
    this.#samples.push({ t, bytes });
    while (this.#samples.length > 2 && t - this.#samples[0]!.t > RATE_WINDOW_MS) this.#samples.shift();
  }

  #rate(): number | null {
    const first = this.#samples[0];
    const last = this.#samples[this.#samples.length - 1];
    if (!first || !last || last.t - first.t < RATE_MIN_MS) return null;
    return Math.max(0, Math.round(((last.bytes - first.bytes) * 1000) / (last.t - first.t)));
  }
}
