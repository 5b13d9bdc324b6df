import type { ConnectionOptions } from 'node:tls';
import { performance } from 'node:perf_hooks';
import { Agent, Dispatcher, Pool, RetryHandler, buildConnector } from 'undici';
import { withDeadline } from './deadline.js';
import type { HttpMetrics, OriginCounters } from './metrics.js';

export { normaliseOrigin } from './metrics.js';

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
  const dispatcher = new MeteredDispatcher(agent, metrics);
  const close = (graceMs: number): Promise<void> =>
    withDeadline(graceMs, () => agent.close(), {
      onLate: async () => {
        await Promise.all([...pools.values()].map((p) => p.destroy()));
      },
    });
  return { dispatcher, agent, sockets, close };
}

// Idempotent requests are retried when a kept-alive socket turns out to be
// dead. Back-to-back requests alternate between two pooled sockets, so a
// server that dropped both needs two retries; status codes are never retried
// (an error page is an answer). Other methods get no RetryHandler at all: it
// costs an object graph per request and could not retry them anyway.
const RETRY: RetryHandler.RetryOptions = {
  maxRetries: 2,
  minTimeout: 20,
  maxTimeout: 200,
  statusCodes: [],
  errorCodes: ['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET'],
};
const RETRIED_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Where a request's id is not sent as a header (web fetch: a page the model
 * chose is told nothing), the request is tagged for the table by an option
 * that undici carries to the dispatcher but never puts on the wire.
 */
export const REQUEST_ID: unique symbol = Symbol('vega.requestId');
type TaggedOptions = { [REQUEST_ID]?: string };

export function withRequestId<T extends object>(opts: T, requestId: string | undefined): T {
  return requestId ? { ...opts, [REQUEST_ID]: requestId } : opts;
}

/**
 * The agent with metrics and, for idempotent methods, retry. A dispatcher of
 * its own rather than composed interceptors: each composed layer converts the
 * handler between undici's two handler APIs (headers parsed into an object,
 * then back into buffers, per response), which cost more than a bare Pool's
 * whole request on loopback. Here `request()`'s handler reaches the pool as
 * it came, wrapped once by a tally that only counts. It has no close() of
 * its own: the pool is the manager's to close (PooledClient.close).
 */
class MeteredDispatcher extends Dispatcher {
  readonly #agent: Agent;
  readonly #metrics: HttpMetrics;
  readonly #retryDispatch: Dispatcher['dispatch'];

  constructor(agent: Agent, metrics: HttpMetrics) {
    super();
    this.#agent = agent;
    this.#metrics = metrics;
    // RetryHandler dispatches its second and later attempts through this.
    this.#retryDispatch = (opts, handler) => {
      metrics.retried(opts.origin);
      return agent.dispatch(opts, handler);
    };
  }

  override dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const origin = this.#metrics.started(opts.origin);
    const tally = handler.onRequestStart
      ? new ControllerTally(handler, this.#metrics, origin, opts)
      : new LegacyTally(handler, this.#metrics, origin, opts);
    try {
      if (!RETRIED_METHODS.has(opts.method)) return this.#agent.dispatch(opts, tally);
      const retrying = new RetryHandler({ ...opts, retryOptions: RETRY }, { handler: tally, dispatch: this.#retryDispatch });
      return this.#agent.dispatch(opts, retrying);
    } catch (err) {
      tally.finish(err as Error);
      throw err;
    }
  }
}

/** One request's figures, recorded once when it ends, however it ends. */
class Tally {
  protected readonly inner: Dispatcher.DispatchHandler;
  readonly #metrics: HttpMetrics;
  readonly #origin: OriginCounters;
  readonly #opts: Dispatcher.DispatchOptions;
  readonly #start = performance.now();
  status = 0;
  bytes = 0;
  #done = false;

  constructor(inner: Dispatcher.DispatchHandler, metrics: HttpMetrics, origin: OriginCounters, opts: Dispatcher.DispatchOptions) {
    this.inner = inner;
    this.#metrics = metrics;
    this.#origin = origin;
    this.#opts = opts;
  }

  finish(error: Error | null): void {
    if (this.#done) return;
    this.#done = true;
    const opts = this.#opts;
    this.#metrics.finished(this.#origin, {
      method: opts.method,
      path: opts.path,
      requestId: (opts as TaggedOptions)[REQUEST_ID],
      headers: opts.headers,
      status: this.status,
      ms: performance.now() - this.#start,
      bytes: this.bytes,
      error: error ? ((error as NodeJS.ErrnoException).code ?? error.name) : null,
    });
  }
}

type Legacy = Required<
  Pick<Dispatcher.DispatchHandler, 'onConnect' | 'onHeaders' | 'onData' | 'onComplete' | 'onError' | 'onUpgrade' | 'onResponseStarted'>
>;

/** For a handler of undici's original API (request(), stream(), fetch): raw headers pass through untouched. */
class LegacyTally extends Tally implements Legacy {
  onConnect(...args: Parameters<Legacy['onConnect']>): void {
    this.inner.onConnect?.(...args);
  }

  onResponseStarted(): void {
    this.inner.onResponseStarted?.();
  }

  onUpgrade(...args: Parameters<Legacy['onUpgrade']>): void {
    this.status = args[0];
    this.finish(null);
    this.inner.onUpgrade?.(...args);
  }

  onHeaders(...args: Parameters<Legacy['onHeaders']>): boolean {
    this.status = args[0];
    return this.inner.onHeaders?.(...args) !== false;
  }

  onData(chunk: Buffer): boolean {
    this.bytes += chunk.length;
    return this.inner.onData?.(chunk) !== false;
  }

  onComplete(trailers: Parameters<Legacy['onComplete']>[0]): void {
    this.finish(null);
    this.inner.onComplete?.(trailers);
  }

  onError(err: Error): void {
    this.finish(err);
    if (!this.inner.onError) throw err;
    this.inner.onError(err);
  }
}

type Controller = Required<
  Pick<
    Dispatcher.DispatchHandler,
    'onRequestStart' | 'onRequestUpgrade' | 'onResponseStart' | 'onResponseData' | 'onResponseEnd' | 'onResponseError'
  >
>;

/** For a handler of the controller API (a dispatcher composed on top of ours, e.g. boundFetch's timeouts). */
class ControllerTally extends Tally implements Controller {
  onRequestStart(...args: Parameters<Controller['onRequestStart']>): void {
    this.inner.onRequestStart?.(...args);
  }

  onRequestUpgrade(...args: Parameters<Controller['onRequestUpgrade']>): void {
    this.status = args[1];
    this.finish(null);
    this.inner.onRequestUpgrade?.(...args);
  }

  onResponseStart(...args: Parameters<Controller['onResponseStart']>): void {
    this.status = args[1];
    this.inner.onResponseStart?.(...args);
  }

  onResponseData(...args: Parameters<Controller['onResponseData']>): void {
    this.bytes += args[1].length;
    this.inner.onResponseData?.(...args);
  }

  onResponseEnd(...args: Parameters<Controller['onResponseEnd']>): void {
    this.finish(null);
    this.inner.onResponseEnd?.(...args);
  }

  onResponseError(...args: Parameters<Controller['onResponseError']>): void {
    this.finish(args[1]);
    this.inner.onResponseError?.(...args);
  }
}
