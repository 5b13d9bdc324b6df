import type { ApiClientStats } from '../../src-shared/resources.js';
import { Histogram } from './histogram.js';

export interface ApiCallRecord {
  readonly client: string;
  readonly ok: boolean;
  readonly promptTokens?: number;
  readonly completionTokens?: number;
  readonly ttftMs?: number;
}

interface ClientCounters {
  calls: number;
  failed: number;
  promptTokens: number;
  completionTokens: number;
  readonly ttftMs: Histogram;
}

/**
 * Clients kept apart at most; calls of any further client count under
 * "other", so a caller inventing User-Agents cannot grow the figures (or a
 * metrics scrape) without bound.
 */
export const CLIENTS_KEPT = 16;
export const OTHER_CLIENT = 'other';
const UNKNOWN_CLIENT = 'unknown';
const CLIENT_CHARS = 40;

/** The calls made to the OpenAI-compatible API, by client: the dashboard's "API clients". */
export class ApiMetrics {
  readonly #clients = new Map<string, ClientCounters>();

  record(call: ApiCallRecord): void {
    const c = this.#client(call.client);
    c.calls++;
    if (!call.ok) c.failed++;
    c.promptTokens += call.promptTokens ?? 0;
    c.completionTokens += call.completionTokens ?? 0;
    if (call.ttftMs !== undefined) c.ttftMs.record(call.ttftMs);
  }

  stats(): ApiClientStats[] {
    return [...this.#clients].map(([client, c]) => ({
      client,
      calls: c.calls,
      failed: c.failed,
      promptTokens: c.promptTokens,
      completionTokens: c.completionTokens,
      ttftMs: c.ttftMs.summary(),
    }));
  }

  #client(name: string): ClientCounters {
    const key = this.#clients.has(name) || this.#clients.size < CLIENTS_KEPT ? name : OTHER_CLIENT;
    let c = this.#clients.get(key);
    if (!c) {
      c = { calls: 0, failed: 0, promptTokens: 0, completionTokens: 0, ttftMs: new Histogram() };
      this.#clients.set(key, c);
    }
    return c;
  }
}

/**
 * A client's name from its User-Agent: the first product token without its
 * version ("OpenAI/JS 6.1.0" → "OpenAI/JS", "curl/8.5.0" → "curl"), in a
 * short, safe alphabet, since it becomes a label on the dashboard.
 */
export function clientName(userAgent: string | undefined): string {
  const first = (userAgent ?? '').trim().split(/\s+/)[0] ?? '';
  const product = /\/v?\d/.test(first) ? first.slice(0, first.search(/\/v?\d/)) : first;
  const safe = product.replace(/[^A-Za-z0-9._/-]/g, '').slice(0, CLIENT_CHARS);
  return safe || UNKNOWN_CLIENT;
}
