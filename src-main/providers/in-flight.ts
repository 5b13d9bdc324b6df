/**
 * The calls a provider has running, each with its own controller chained to
 * the caller's signal, so shutdown can abort them all and a finished call
 * leaves no listener behind on a long-lived signal.
 */
export class InFlight {
  readonly #running = new Set<AbortController>();

  begin(outer?: AbortSignal): { readonly signal: AbortSignal; end(): void } {
    const controller = new AbortController();
    const onAbort = () => controller.abort(outer?.reason);
    if (outer?.aborted) controller.abort(outer.reason);
    else outer?.addEventListener('abort', onAbort, { once: true });
    this.#running.add(controller);
    return {
      signal: controller.signal,
      end: () => {
        outer?.removeEventListener('abort', onAbort);
        this.#running.delete(controller);
      },
    };
  }

  abortAll(): void {
    for (const c of this.#running) c.abort(new DOMException('Vega is shutting down.', 'AbortError'));
  }

  get size(): number {
    return this.#running.size;
  }
}
