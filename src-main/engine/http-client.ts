import type { ConnectionOptions } from 'node:tls';
import { performance } from 'node:perf_hooks';
import { Agent, DecoratorHandler, Pool, buildConnector, interceptors, type Dispatcher } from 'undici';
import type { RecentRequest } from '../../src-shared/resources.js';
import { withDeadline } from './deadline.js';
import type { HttpMetrics, OriginCounters } from './metrics.js';

export interface HttpSettings {
  /** Connections per origin (the seed's max_connections=100). */
  readonly maxConnections: number;
  /** Longest an idle socket is kept, seconds (the seed's keepalive=20, see README). */
  readonly keepAliveS: number;
  readonly http2: boolean;
  /** Connect, headers and body timeout, ms (the seed's timeout=30). */
  readonly timeoutMs: number;
  /** Extra TLS options, e.g. a private CA for a self-hosted server. */
  readonly tls?: ConnectionOptions;
  /**
   * Wraps the pool's connector; not a setting. Tests pass one that refuses
   * any non-loopback address, so a broken SSRF guard in an integration can
   * never send a packet off the machine.
   */
  readonly wrapConnect?: (connect: buildConnector.connector) => buildConnector.connector;
}

export interface PooledClient {
  /** The dispatcher every provider uses: the agent with metrics and retry. */
  readonly dispatcher: Dispatcher;
  readonly agent: Agent;
  /** Sockets this client opened: Node's own fetch publishes on the same diagnostics channels. */
  readonly sockets: WeakSet<object>;
  /**
   * Close gracefully for up to `graceMs`, then cut what is still open. The
   * Agent forgets its pools as soon as close() starts, so a destroy() on the
   * Agent after the grace would reach nothing: the pools are kept here.
   */
  close(graceMs: number): Promise<void>;
}

// Idle sockets are closed after 4 s unless the server says otherwise: below
// the 5 s that Node and many servers use, so we close before they do and a
// request never lands on a socket the server is closing ("other side closed").
const IDLE_DEFAULT_MS = 4_000;

export function createPooledClient(settings: HttpSettings, metrics: HttpMetrics): PooledClient {
  const build = buildConnector({
    ...settings.tls,
    timeout: settings.timeoutMs,
    allowH2: settings.http2,
  });
  const sockets = new WeakSet<object>();
  const connector: buildConnector.connector = (opts, callback) =>
    build(opts, (err, socket) => {
      if (socket) sockets.add(socket);
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- takes (null, socket) or (error, null)
      callback(err as null, socket as NonNullable<typeof socket>);
    });
  const keepAliveMaxMs = settings.keepAliveS * 1000;
  const pools = new Map<string, Pool>();
  const agent = new Agent({
    factory: (origin, opts) => {
      const pool = new Pool(origin, opts);
      pools.set(String(origin), pool);
      return pool;
    },
    connections: settings.maxConnections,
    connect: settings.wrapConnect ? settings.wrapConnect(connector) : connector,
    allowH2: settings.http2,
    keepAliveTimeout: Math.min(IDLE_DEFAULT_MS, keepAliveMaxMs),
    keepAliveMaxTimeout: keepAliveMaxMs,
    headersTimeout: settings.timeoutMs,
    bodyTimeout: settings.timeoutMs,
  });
  const dispatcher = agent.compose(
    // Innermost, so it sees every attempt the retry interceptor makes.
    retryCounter(metrics),
    // Idempotent requests are retried when a kept-alive socket turns out to
    // be dead. Back-to-back requests alternate between two pooled sockets, so
    // a server that dropped both needs two retries; status codes are never
    // retried (an error page is an answer).
    interceptors.retry({
      maxRetries: 2,
      minTimeout: 20,
      maxTimeout: 200,
      methods: ['GET', 'HEAD', 'OPTIONS'],
      statusCodes: [],
      errorCodes: ['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET'],
    }),
    metricsInterceptor(metrics),
  );
  const close = (graceMs: number): Promise<void> =>
    withDeadline(graceMs, () => agent.close(), {
      onLate: async () => {
        await Promise.all([...pools.values()].map((p) => p.destroy()));
      },
    });
  return { dispatcher, agent, sockets, close };
}

interface Handler {
  onResponseStart(...args: Parameters<Required<Dispatcher.DispatchHandler>['onResponseStart']>): void;
  onResponseData(...args: Parameters<Required<Dispatcher.DispatchHandler>['onResponseData']>): void;
  onResponseEnd(...args: Parameters<Required<Dispatcher.DispatchHandler>['onResponseEnd']>): void;
  onResponseError(...args: Parameters<Required<Dispatcher.DispatchHandler>['onResponseError']>): void;
}
// undici's typings declare DecoratorHandler without the methods it has; it
// also adapts legacy handlers to the controller API, which is why we extend it.
const Decorator = DecoratorHandler as unknown as new (handler: Dispatcher.DispatchHandler) => Handler;

/** Times one request and records it when it ends, however it ends. */
class CountingHandler extends Decorator {
  readonly #metrics: HttpMetrics;
  readonly #counters: OriginCounters;
  readonly #request: Omit<RecentRequest, 'status' | 'ms' | 'bytes' | 'at' | 'error'>;
  readonly #start = performance.now();
  #status = 0;
  #bytes = 0;
  #done = false;

  constructor(handler: Dispatcher.DispatchHandler, metrics: HttpMetrics, counters: OriginCounters, request: CountingHandler['request']) {
    super(handler);
    this.#metrics = metrics;
    this.#counters = counters;
    this.#request = request;
  }

  get request(): Omit<RecentRequest, 'status' | 'ms' | 'bytes' | 'at' | 'error'> {
    return this.#request;
  }

  override onResponseStart(...args: Parameters<Handler['onResponseStart']>): void {
    this.#status = args[1];
    super.onResponseStart(...args);
  }

  override onResponseData(...args: Parameters<Handler['onResponseData']>): void {
    this.#bytes += args[1].length;
    super.onResponseData(...args);
  }

  override onResponseEnd(...args: Parameters<Handler['onResponseEnd']>): void {
    this.finish(null);
    super.onResponseEnd(...args);
  }

  override onResponseError(...args: Parameters<Handler['onResponseError']>): void {
    this.finish(args[1]);
    super.onResponseError(...args);
  }

  finish(error: Error | null): void {
    if (this.#done) return;
    this.#done = true;
    const ms = performance.now() - this.#start;
    this.#metrics.finished(this.#counters, ms, error === null && this.#status < 500, {
      ...this.#request,
      status: this.#status,
      ms: Math.round(ms * 10) / 10,
      bytes: this.#bytes,
      at: Date.now(),
      error: error ? ((error as NodeJS.ErrnoException).code ?? error.name) : null,
    });
  }
}

/**
 * Where a request's id is not sent as a header (web fetch: a page the model
 * chose is told nothing), the request is tagged for the table by an option
 * that undici carries to the interceptors but never puts on the wire.
 */
export const REQUEST_ID: unique symbol = Symbol('vega.requestId');
type TaggedOptions = { [REQUEST_ID]?: string };

export function withRequestId<T extends object>(opts: T, requestId: string | undefined): T {
  return requestId ? { ...opts, [REQUEST_ID]: requestId } : opts;
}

function metricsInterceptor(metrics: HttpMetrics): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (opts, handler) => {
    const origin = normaliseOrigin(opts.origin);
    const counting = new CountingHandler(handler, metrics, metrics.started(origin), {
      method: opts.method,
      origin,
      // The query is dropped: it may carry tokens, and the table needs only the route.
      path: (opts.path ?? '/').split('?')[0] ?? '/',
      requestId: (opts as TaggedOptions)[REQUEST_ID] ?? headerValue(opts.headers, 'x-request-id'),
    });
    try {
      return dispatch(opts, counting);
    } catch (err) {
      counting.finish(err as Error);
      throw err;
    }
  };
}

/**
 * Counts retries: undici's retry interceptor dispatches each attempt of one
 * request with the same handler, so a handler seen before is a retry.
 */
function retryCounter(metrics: HttpMetrics): Dispatcher.DispatcherComposeInterceptor {
  const seen = new WeakSet<object>();
  return (dispatch) => (opts, handler) => {
    if (seen.has(handler)) metrics.retried(normaliseOrigin(opts.origin));
    else seen.add(handler);
    return dispatch(opts, handler);
  };
}

function headerValue(headers: Dispatcher.DispatchOptions['headers'], name: string): string | null {
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

// Parsing a URL per request costs more than the rest of the bookkeeping; a
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
