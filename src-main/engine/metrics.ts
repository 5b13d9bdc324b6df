import diagnosticsChannel from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import type { LlmStats, RecentRequest } from '../../src-shared/resources.js';
import { Histogram } from './histogram.js';
import { RateWindow } from './rate-window.js';

export interface OriginCounters {
  /** The origin's normal form (scheme, host, port). */
  readonly origin: string;
  requests: number;
  failed: number;
  inFlight: number;
  connectionsOpened: number;
  connectionsClosed: number;
  /** Retries the pool made after a dead kept-alive socket (each is one more attempt of one request). */
  retries: number;
  /** Completed requests by HTTP status; 0 when no response arrived. */
  readonly statuses: Map<number, number>;
  readonly total: Histogram;
  /** Completed requests and latency of the last complete second. */
  readonly window: RateWindow;
}

/** What the client hands over when a request ends: raw, so no string is built until the table is read. */
export interface FinishedRequest {
  readonly method: string;
  /** With the query, which is cut when the table is read. */
  readonly path: string;
  readonly requestId: string | undefined;
  /** Searched for x-request-id when the table is read, if no id was tagged. */
  readonly headers: unknown;
  readonly status: number;
  readonly ms: number;
  readonly bytes: number;
  readonly error: string | null;
}

/** One kept request: a slot of the ring, overwritten in place. */
interface Slot {
  origin: string;
  request: FinishedRequest;
  at: number;
}

export const RECENT_KEPT = 500;

/**
 * Counters of the engine's own HTTP traffic. Requests are counted by the
 * pooled client's interceptor (so they are ours by construction); sockets
 * are counted from undici's diagnostics channels, filtered by our sockets,
 * because Node's global fetch publishes on the same channels.
 */
export class HttpMetrics {
  readonly origins = new Map<string, OriginCounters>();
  requests = 0;
  failed = 0;
  inFlight = 0;
  connectionsOpened = 0;
  connectionsClosed = 0;
  retries = 0;
  /** The last RECENT_KEPT requests: a ring of slots reused in place, oldest overwritten first. */
  readonly #recent: Slot[] = [];
  #recentNext = 0;
  /** Counters by the origin as callers spell it (a string or URL): no URL is parsed per request. */
  readonly #byRaw = new Map<string, OriginCounters>();
  readonly #unsubscribe: () => void;

  constructor(isOurs: (socket: Socket) => boolean) {
    const onConnected = (message: unknown): void => {
      const { socket, connectParams } = message as { socket: Socket; connectParams: { protocol: string; hostname: string; port: string } };
      if (!isOurs(socket)) return;
      const o = this.origin(originOf(connectParams));
      this.connectionsOpened++;
      o.connectionsOpened++;
      socket.once('close', () => {
        this.connectionsClosed++;
        o.connectionsClosed++;
      });
    };
    const channel = diagnosticsChannel.channel('undici:client:connected');
    channel.subscribe(onConnected);
    this.#unsubscribe = () => channel.unsubscribe(onConnected);
  }

  origin(origin: string): OriginCounters {
    let o = this.origins.get(origin);
    if (!o) {
      o = {
        origin,
        requests: 0,
        failed: 0,
        inFlight: 0,
        connectionsOpened: 0,
        connectionsClosed: 0,
        retries: 0,
        statuses: new Map(),
        total: new Histogram(),
        window: new RateWindow(),
      };
      this.origins.set(origin, o);
    }
    return o;
  }

  /** The counters of a request's origin as a dispatcher receives it. */
  #raw(origin: string | URL | undefined): OriginCounters {
    const key = origin === undefined ? '' : String(origin);
    let o = this.#byRaw.get(key);
    if (!o) {
      if (this.#byRaw.size >= 1_000) this.#byRaw.clear();
      o = this.origin(normaliseOrigin(origin));
      this.#byRaw.set(key, o);
    }
    return o;
  }

  started(origin: string | URL | undefined): OriginCounters {
    const o = this.#raw(origin);
    this.inFlight++;
    o.inFlight++;
    return o;
  }

  retried(origin: string | URL | undefined): void {
    this.retries++;
    this.#raw(origin).retries++;
  }

  finished(o: OriginCounters, r: FinishedRequest): void {
    const at = Date.now();
    const slot = this.#recent[this.#recentNext];
    if (slot) {
      slot.origin = o.origin;
      slot.request = r;
      slot.at = at;
    } else this.#recent[this.#recentNext] = { origin: o.origin, request: r, at };
    this.#recentNext = (this.#recentNext + 1) % RECENT_KEPT;
    this.inFlight--;
    o.inFlight--;
    this.requests++;
    o.requests++;
    if (r.error !== null || r.status >= 500) {
      this.failed++;
      o.failed++;
    }
    o.statuses.set(r.status, (o.statuses.get(r.status) ?? 0) + 1);
    o.total.record(r.ms);
    o.window.record(r.ms, at);
  }

  /** Newest first, at most `limit`; the table's rows are built here, when someone reads them. */
  recent(limit = RECENT_KEPT): RecentRequest[] {
    const out: RecentRequest[] = [];
    for (let i = 1; i <= RECENT_KEPT && out.length < limit; i++) {
      const slot = this.#recent[(this.#recentNext - i + RECENT_KEPT) % RECENT_KEPT];
      if (!slot) break;
      const r = slot.request;
      out.push({
        method: r.method,
        origin: slot.origin,
        // The query is dropped: it may carry tokens, and the table needs only the route.
        path: r.path.split('?')[0] || '/',
        status: r.status,
        ms: Math.round(r.ms * 10) / 10,
        bytes: r.bytes,
        requestId: r.requestId ?? headerValue(r.headers, 'x-request-id'),
        at: slot.at,
        error: r.error,
      });
    }
    return out;
  }

  close(): void {
    this.#unsubscribe();
  }
}

function headerValue(headers: unknown, name: string): string | null {
  if (!headers) return null;
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) if (String(headers[i]).toLowerCase() === name) return String(headers[i + 1]);
    return null;
  }
  if (typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function') {
    for (const [k, v] of headers as Iterable<[string, string]>) if (k.toLowerCase() === name) return String(v);
    return null;
  }
  for (const [k, v] of Object.entries(headers as Record<string, unknown>)) if (k.toLowerCase() === name) return String(v);
  return null;
}

// Parsing a URL costs more than the rest of a request's bookkeeping; a
// process talks to few origins, so their normal forms are remembered.
const originCache = new Map<string, string>();

export function normaliseOrigin(origin: string | URL | undefined): string {
  if (origin === undefined) return 'unknown';
  const key = String(origin);
  let normal = originCache.get(key);
  if (normal === undefined) {
    try {
      normal = new URL(key).origin;
    } catch {
      normal = key;
    }
    if (originCache.size >= 1_000) originCache.clear();
    originCache.set(key, normal);
  }
  return normal;
}

function originOf(p: { protocol: string; hostname: string; port: string }): string {
  return new URL(`${p.protocol}//${p.hostname}${p.port ? `:${p.port}` : ''}`).origin;
}

export interface ChatTurnRecord {
  readonly ok: boolean;
  readonly provider?: string;
  readonly model?: string;
  readonly ttftMs?: number;
  readonly tokens?: number;
  readonly tokensPerSecond?: number;
}

/** The turns of one provider and model. */
export interface ModelCounters {
  readonly provider: string;
  readonly model: string;
  turns: number;
  failed: number;
  tokens: number;
  readonly ttftMs: Histogram;
  readonly tokensPerSecond: Histogram;
}

/**
 * Models kept apart at most; turns of any further model are counted under
 * model "other", so a client naming models at random cannot grow the figures
 * (or a metrics scrape) without bound.
 */
export const MODELS_KEPT = 32;
export const OTHER = 'other';

/** Chat turns as the providers report them: the dashboard's LLM figures. */
export class LlmMetrics {
  turns = 0;
  failed = 0;
  tokens = 0;
  lastTokensPerSecond = 0;
  readonly #ttft = new Histogram();
  readonly #models = new Map<string, ModelCounters>();

  record(turn: ChatTurnRecord): void {
    this.turns++;
    if (!turn.ok) this.failed++;
    this.tokens += turn.tokens ?? 0;
    if (turn.ttftMs !== undefined) this.#ttft.record(turn.ttftMs);
    if (turn.tokensPerSecond !== undefined) this.lastTokensPerSecond = Math.round(turn.tokensPerSecond * 10) / 10;
    const m = this.#model(turn.provider ?? 'unknown', turn.model ?? 'unknown');
    m.turns++;
    if (!turn.ok) m.failed++;
    m.tokens += turn.tokens ?? 0;
    if (turn.ttftMs !== undefined) m.ttftMs.record(turn.ttftMs);
    if (turn.tokensPerSecond !== undefined) m.tokensPerSecond.record(turn.tokensPerSecond);
  }

  /** Turns by provider and model (at most MODELS_KEPT models, then "other"). */
  byModel(): readonly ModelCounters[] {
    return [...this.#models.values()];
  }

  #model(provider: string, name: string): ModelCounters {
    const known = this.#models.get(`${provider}\n${name}`);
    if (known) return known;
    const model = this.#models.size < MODELS_KEPT ? name : OTHER;
    const key = `${provider}\n${model}`;
    let m = this.#models.get(key);
    if (!m) {
      m = { provider, model, turns: 0, failed: 0, tokens: 0, ttftMs: new Histogram(), tokensPerSecond: new Histogram() };
      this.#models.set(key, m);
    }
    return m;
  }

  stats(): LlmStats {
    return {
      turns: this.turns,
      failed: this.failed,
      tokens: this.tokens,
      ttftMs: this.#ttft.summary(),
      lastTokensPerSecond: this.lastTokensPerSecond,
    };
  }
}
