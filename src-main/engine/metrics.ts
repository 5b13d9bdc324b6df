import diagnosticsChannel from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import type { LatencySummary, LlmStats, RecentRequest } from '../../src-shared/resources.js';
import { Histogram } from './histogram.js';

export interface OriginCounters {
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
  readonly window: Histogram;
  /** Completed requests and latency of the last closed window. */
  lastWindowCount: number;
  lastWindow: LatencySummary;
}

export const RECENT_KEPT = 500;

const EMPTY: LatencySummary = { p50: 0, p95: 0, p99: 0 };

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
  /** The last RECENT_KEPT requests, oldest first (a ring: no allocation per request beyond the record). */
  readonly #recent = new Array<RecentRequest | undefined>(RECENT_KEPT);
  #recentNext = 0;
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
        requests: 0,
        failed: 0,
        inFlight: 0,
        connectionsOpened: 0,
        connectionsClosed: 0,
        retries: 0,
        statuses: new Map(),
        total: new Histogram(),
        window: new Histogram(),
        lastWindowCount: 0,
        lastWindow: EMPTY,
      };
      this.origins.set(origin, o);
    }
    return o;
  }

  started(origin: string): OriginCounters {
    const o = this.origin(origin);
    this.inFlight++;
    o.inFlight++;
    return o;
  }

  retried(origin: string): void {
    this.retries++;
    this.origin(origin).retries++;
  }

  finished(o: OriginCounters, ms: number, ok: boolean, record?: RecentRequest): void {
    if (record) {
      this.#recent[this.#recentNext] = record;
      this.#recentNext = (this.#recentNext + 1) % RECENT_KEPT;
    }
    this.inFlight--;
    o.inFlight--;
    this.requests++;
    o.requests++;
    if (!ok) {
      this.failed++;
      o.failed++;
    }
    const status = record?.status ?? 0;
    o.statuses.set(status, (o.statuses.get(status) ?? 0) + 1);
    o.total.record(ms);
    o.window.record(ms);
  }

  /** Newest first, at most `limit`. */
  recent(limit = RECENT_KEPT): RecentRequest[] {
    const out: RecentRequest[] = [];
    for (let i = 1; i <= RECENT_KEPT && out.length < limit; i++) {
      const r = this.#recent[(this.#recentNext - i + RECENT_KEPT) % RECENT_KEPT];
      if (!r) break;
      out.push(r);
    }
    return out;
  }

  /** Close the current window (called once a second by the snapshot ticker). */
  roll(): void {
    for (const o of this.origins.values()) {
      o.lastWindowCount = o.window.count;
      o.lastWindow = o.window.count ? o.window.summary() : EMPTY;
      o.window.reset();
    }
  }

  close(): void {
    this.#unsubscribe();
  }
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
