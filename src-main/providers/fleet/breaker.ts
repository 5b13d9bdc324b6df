export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerSettings {
  /** Consecutive connection failures or 5xx answers that open it. */
  readonly failures: number;
  /** How long it stays open before one call may probe the endpoint, ms. */
  readonly pauseMs: number;
}

export const DEFAULT_BREAKER: BreakerSettings = { failures: 3, pauseMs: 15_000 };

/**
 * One endpoint's circuit breaker: open after a run of server faults, so turns
 * stop paying a dead server's timeout; after the pause, one call is let
 * through as the probe (half-open); its success closes it, its failure opens
 * it for another pause. Time is Date.now(), so tests move it with fake timers.
 */
export class Breaker {
  #state: BreakerState = 'closed';
  #failures = 0;
  #openedAt = 0;
  #probing = false;
  readonly #s: BreakerSettings;

  constructor(settings: BreakerSettings = DEFAULT_BREAKER) {
    this.#s = settings;
  }

  get state(): BreakerState {
    if (this.#state === 'open' && Date.now() - this.#openedAt >= this.#s.pauseMs) this.#state = 'half-open';
    return this.#state;
  }

  /** Whether a call may go there now; in half-open, only the one probe. */
  allows(): boolean {
    const s = this.state;
    return s === 'closed' || (s === 'half-open' && !this.#probing);
  }

  /** The call about to go out is the half-open probe, if the breaker is half-open. */
  begin(): void {
    if (this.state === 'half-open') this.#probing = true;
  }

  success(): void {
    this.#state = 'closed';
    this.#failures = 0;
    this.#probing = false;
  }

  failure(): void {
    this.#probing = false;
    this.#failures++;
    if (this.#state === 'half-open' || this.#failures >= this.#s.failures) {
      this.#state = 'open';
      this.#openedAt = Date.now();
    }
  }

  /** The call ended without saying anything of the server's health (a stop, a refused request). */
  release(): void {
    this.#probing = false;
  }
}
