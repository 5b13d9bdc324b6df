import { performance } from 'node:perf_hooks';
import { Histogram } from '../engine/histogram.js';
import type { IntegrationId, IntegrationStats, RateLimitInfo } from './types.js';

/**
 * Counters of one integration. `track` wraps one operation: it is a call,
 * a failure when it throws, and its time goes into the histogram. The
 * messages kept are the VegaErrors' own, which never carry a token.
 */
export class CallStats {
  readonly id: IntegrationId;
  #calls = 0;
  #failures = 0;
  readonly #latency = new Histogram();
  #lastStatus: 'ok' | 'error' | null = null;
  #lastHttpStatus: number | null = null;
  #lastError: string | null = null;
  #lastCallAt: string | null = null;
  #rateLimit: RateLimitInfo | undefined;

  constructor(id: IntegrationId) {
    this.id = id;
  }

  async track<T>(fn: () => Promise<T>): Promise<T> {
    const start = performance.now();
    this.#calls++;
    this.#lastCallAt = new Date().toISOString();
    try {
      const value = await fn();
      this.#lastStatus = 'ok';
      return value;
    } catch (err) {
      this.#failures++;
      this.#lastStatus = 'error';
      this.#lastError = err instanceof Error ? err.message : String(err);
      throw err;
    } finally {
      this.#latency.record(performance.now() - start);
    }
  }

  /** Every response's status, health probes included: the dashboard shows what the service last said. */
  noteHttpStatus(status: number): void {
    this.#lastHttpStatus = status;
  }

  noteRateLimit(info: RateLimitInfo): void {
    this.#rateLimit = info;
  }

  get rateLimit(): RateLimitInfo | undefined {
    return this.#rateLimit;
  }

  snapshot(): IntegrationStats {
    const base: IntegrationStats = {
      id: this.id,
      calls: this.#calls,
      failures: this.#failures,
      latencyMs: { p50: this.#latency.quantile(0.5), p95: this.#latency.quantile(0.95) },
      lastStatus: this.#lastStatus,
      lastHttpStatus: this.#lastHttpStatus,
      lastError: this.#lastError,
      lastCallAt: this.#lastCallAt,
    };
    return this.#rateLimit ? { ...base, rateLimit: this.#rateLimit } : base;
  }
}
