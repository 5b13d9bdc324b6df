import type { ConnectionOptions } from 'node:tls';
import { performance } from 'node:perf_hooks';
import { Agent, DecoratorHandler, buildConnector, interceptors, type Dispatcher } from 'undici';
import type { HttpMetrics } from './metrics.js';

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
}

export interface PooledClient {
  /** The dispatcher every provider uses: the agent with metrics and retry. */
  readonly dispatcher: Dispatcher;
  readonly agent: Agent;
  /** Sockets this client opened: Node's own fetch publishes on the same diagnostics channels. */
  readonly sockets: WeakSet<object>;
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
  } as buildConnector.BuildOptions);
  const sockets = new WeakSet<object>();
  const connector: buildConnector.connector = (opts, callback) =>
    build(opts, (err, socket) => {
      if (socket) sockets.add(socket);
      callback(err as null, socket as NonNullable<typeof socket>);
    });
  const keepAliveMaxMs = settings.keepAliveS * 1000;
  const agent = new Agent({
    connections: settings.maxConnections,
    connect: connector,
    allowH2: settings.http2,
    keepAliveTimeout: Math.min(IDLE_DEFAULT_MS, keepAliveMaxMs),
    keepAliveMaxTimeout: keepAliveMaxMs,
    headersTimeout: settings.timeoutMs,
    bodyTimeout: settings.timeoutMs,
  });
  const dispatcher = agent.compose(
    // Idempotent requests are retried once when a kept-alive socket turns out
    // to be dead; status codes are never retried (an error page is an answer).
    interceptors.retry({
      maxRetries: 1,
      minTimeout: 20,
      maxTimeout: 200,
      methods: ['GET', 'HEAD', 'OPTIONS'],
      statusCodes: [],
      errorCodes: ['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET'],
    }),
    metricsInterceptor(metrics),
  );
  return { dispatcher, agent, sockets };
}

interface Handler {
  onResponseStart(...args: Parameters<Required<Dispatcher.DispatchHandler>['onResponseStart']>): void;
  onResponseEnd(...args: Parameters<Required<Dispatcher.DispatchHandler>['onResponseEnd']>): void;
  onResponseError(...args: Parameters<Required<Dispatcher.DispatchHandler>['onResponseError']>): void;
}
// undici's typings declare DecoratorHandler without the methods it has; it
// also adapts legacy handlers to the controller API, which is why we extend it.
const Decorator = DecoratorHandler as unknown as new (handler: Dispatcher.DispatchHandler) => Handler;

function metricsInterceptor(metrics: HttpMetrics): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (opts, handler) => {
    const counters = metrics.started(normaliseOrigin(opts.origin));
    const start = performance.now();
    let finished = false;
    let status = 0;
    const finish = (ok: boolean): void => {
      if (finished) return;
      finished = true;
      metrics.finished(counters, performance.now() - start, ok && status < 500);
    };
    class Counting extends Decorator {
      override onResponseStart(...args: Parameters<Handler['onResponseStart']>): void {
        status = args[1];
        super.onResponseStart(...args);
      }
      override onResponseEnd(...args: Parameters<Handler['onResponseEnd']>): void {
        finish(true);
        super.onResponseEnd(...args);
      }
      override onResponseError(...args: Parameters<Handler['onResponseError']>): void {
        finish(false);
        super.onResponseError(...args);
      }
    }
    try {
      return dispatch(opts, new Counting(handler));
    } catch (err) {
      finish(false);
      throw err;
    }
  };
}

export function normaliseOrigin(origin: string | URL | undefined): string {
  if (origin === undefined) return 'unknown';
  try {
    return new URL(origin).origin;
  } catch {
    return String(origin);
  }
}
