/**
 * The one bounded wait. Work gets a signal that fires at the bound (or when
 * the caller's signal does); the returned promise settles by then even if
 * the work ignores its signal, so nothing upstream can be held forever.
 */

/** Thrown (or passed to `onLate`) when the bound passes first. */
export class DeadlineError extends Error {
  readonly ms: number;
  constructor(ms: number) {
    super(`no answer within ${Math.round(ms)} ms`);
    this.name = 'DeadlineError';
    this.ms = ms;
  }
}

export interface DeadlineOptions<T> {
  /** The caller's own signal: its abort ends the wait at once, with its reason. */
  readonly signal?: AbortSignal;
  /** What to resolve with when the bound passes, instead of rejecting with a DeadlineError. */
  readonly onLate?: (err: DeadlineError) => T | Promise<T>;
}

export async function withDeadline<T>(
  ms: number,
  work: (signal: AbortSignal) => Promise<T> | T,
  opts: DeadlineOptions<T> = {},
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new DeadlineError(ms);
      controller.abort(err);
      reject(err);
    }, ms);
    const parent = opts.signal;
    if (parent) {
      onAbort = () => {
        controller.abort(parent.reason);
        reject(parent.reason instanceof Error ? parent.reason : new DOMException('Aborted', 'AbortError'));
      };
      if (parent.aborted) onAbort();
      else parent.addEventListener('abort', onAbort, { once: true });
    }
  });
  try {
    // `then` so a synchronous throw in `work` rejects instead of escaping the race.
    return await Promise.race([Promise.resolve().then(() => work(controller.signal)), late]);
  } catch (err) {
    if (err instanceof DeadlineError && opts.onLate) return await opts.onLate(err);
    throw err;
  } finally {
    clearTimeout(timer);
    if (onAbort) opts.signal?.removeEventListener('abort', onAbort);
  }
}
