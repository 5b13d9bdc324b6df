import { VegaError, toErrorValue, type VegaErrorValue } from '../../src-shared/errors.js';
import { pullFinished, sameModel, type PullProgress, type PullState } from '../../src-shared/models.js';
import { cutError } from './pull-errors.js';
import { PullTracker, type TrackedProgress } from './pull-tracker.js';
import { throttle } from './throttle.js';

/** Where a pull's lines come from: Ollama's /api/pull on the engine's client, or a test's generator. */
export type PullSource = (name: string, signal: AbortSignal) => AsyncIterable<unknown>;

export interface PullQueueOptions {
  /** Each pull's events, at most one per `everyMs`, always ending on its final state. */
  readonly emit: (p: PullProgress) => void;
  /** Called once a pull ends, whatever the outcome (the model list changed, or may have). */
  readonly onFinished?: (p: PullProgress) => void;
  readonly everyMs?: number;
  /** Finished pulls kept to show (a window opened later still sees how they ended). */
  readonly keepFinished?: number;
  readonly now?: () => number;
}

interface Entry {
  readonly name: string;
  state: PullState;
  progress: TrackedProgress;
  error: VegaErrorValue | null;
  readonly queuedAt: string;
  updatedAt: string;
  controller?: AbortController;
  readonly notify: { poke(): void; cancel(): void };
}

const NOTHING_YET: TrackedProgress = {
  status: 'waiting for the pull before it',
  completed: 0,
  total: 0,
  layers: [],
  bytesPerSecond: null,
  secondsLeft: null,
};

/**
 * The pulls, one at a time, in the order asked. The state lives here, in
 * main, so a reloaded window asks for it again and finds its bars. Cancel
 * aborts the stream (Ollama keeps the finished parts, so pulling again
 * resumes); a queued pull is simply dropped.
 */
export class PullQueue {
  readonly #source: PullSource;
  readonly #o: PullQueueOptions;
  readonly #now: () => number;
  /** In order: the running one (if any), then the waiting ones, then the finished, newest first. */
  #entries: Entry[] = [];
  #running: Entry | undefined;
  #closed = false;

  constructor(source: PullSource, o: PullQueueOptions) {
    this.#source = source;
    this.#o = o;
    this.#now = o.now ?? Date.now;
  }

  /** Queue a pull; asking for one already queued or running answers its state. */
  pull(name: string): PullProgress {
    if (this.#closed) throw new VegaError('SHUTTING_DOWN', 'Vega is shutting down; no new pulls are started.');
    const existing = this.#find(name);
    if (existing && !pullFinished(existing.state)) return this.#value(existing);
    if (existing) this.#entries = this.#entries.filter((e) => e !== existing);
    const at = new Date(this.#now()).toISOString();
    const entry: Entry = {
      name,
      state: 'queued',
      progress: NOTHING_YET,
      error: null,
      queuedAt: at,
      updatedAt: at,
      notify: throttle(this.#o.everyMs ?? 100, () => this.#o.emit(this.#value(entry)), this.#now),
    };
    const firstFinished = this.#entries.findIndex((e) => pullFinished(e.state));
    this.#entries.splice(firstFinished === -1 ? this.#entries.length : firstFinished, 0, entry);
    entry.notify.poke();
    this.#next();
    return this.#value(entry);
  }

  /** Stop a running pull or drop a queued one; false when no such pull waits or runs. */
  cancel(name: string): boolean {
    const entry = this.#find(name);
    if (!entry || pullFinished(entry.state)) return false;
    if (entry.controller) entry.controller.abort(new DOMException('Cancelled.', 'AbortError'));
    else this.#finish(entry, 'cancelled', null);
    return true;
  }

  list(): PullProgress[] {
    return this.#entries.map((e) => this.#value(e));
  }

  /** Running or waiting. */
  get active(): number {
    return this.#entries.filter((e) => !pullFinished(e.state)).length;
  }

  /** Shutdown: stop the running pull, drop the waiting ones. */
  close(): void {
    this.#closed = true;
    for (const e of this.#entries) if (!pullFinished(e.state)) this.cancel(e.name);
  }

  #find(name: string): Entry | undefined {
    return this.#entries.find((e) => sameModel(e.name, name));
  }

  #value(e: Entry): PullProgress {
    return { name: e.name, state: e.state, ...e.progress, error: e.error, queuedAt: e.queuedAt, updatedAt: e.updatedAt };
  }

  #next(): void {
    if (this.#running || this.#closed) return;
    const entry = this.#entries.find((e) => e.state === 'queued');
    if (!entry) return;
    this.#running = entry;
    void this.#run(entry).finally(() => {
      this.#running = undefined;
      this.#next();
    });
  }

  async #run(entry: Entry): Promise<void> {
    const controller = new AbortController();
    entry.controller = controller;
    const tracker = new PullTracker(entry.name, this.#now);
    const update = (): void => {
      entry.state = tracker.verifying ? 'verifying' : 'pulling';
      entry.progress = tracker.progress();
      entry.updatedAt = new Date(this.#now()).toISOString();
      entry.notify.poke();
    };
    update();
    let lineError: VegaError | undefined;
    let streamError: unknown;
    try {
      for await (const line of this.#source(entry.name, controller.signal)) {
        try {
          tracker.take(line);
        } catch (err) {
          lineError = err as VegaError;
          break;
        }
        update();
      }
    } catch (err) {
      streamError = err;
    }
    if (controller.signal.aborted) this.#finish(entry, 'cancelled', null, tracker);
    else if (lineError) this.#finish(entry, 'failed', lineError.toJSON(), tracker);
    else if (streamError !== undefined) this.#finish(entry, 'failed', toErrorValue(this.#explain(streamError, tracker)), tracker);
    else if (!tracker.succeeded) this.#finish(entry, 'failed', cutError(entry.name).toJSON(), tracker);
    else this.#finish(entry, 'done', null, tracker);
  }

  /** A break after the first line is a cut stream, where the resume hint applies; a timeout says more, so it stays. */
  #explain(err: unknown, tracker: PullTracker): unknown {
    if (!tracker.started || (err instanceof VegaError && err.code === 'TIMEOUT')) return err;
    return cutError(tracker.name, err);
  }

  #finish(entry: Entry, state: PullState, error: VegaErrorValue | null, tracker?: PullTracker): void {
    entry.state = state;
    entry.error = error;
    entry.controller = undefined;
    if (tracker) entry.progress = { ...tracker.progress(), bytesPerSecond: null, secondsLeft: null };
    entry.updatedAt = new Date(this.#now()).toISOString();
    // Finished pulls move behind the waiting ones, newest first, and only the last few are kept.
    const rest = this.#entries.filter((e) => e !== entry);
    const firstFinished = rest.findIndex((e) => pullFinished(e.state));
    rest.splice(firstFinished === -1 ? rest.length : firstFinished, 0, entry);
    const keep = this.#o.keepFinished ?? 10;
    let finished = 0;
    this.#entries = rest.filter((e) => !pullFinished(e.state) || ++finished <= keep);
    entry.notify.poke();
    this.#o.onFinished?.(this.#value(entry));
  }
}
