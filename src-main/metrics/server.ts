import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { VegaApp } from '../app/create-app.js';
import { hostAllowed, keyMatches } from '../web/auth.js';
import { AuthBackoff } from '../web/auth-backoff.js';
import { presentedKey, sendError } from '../web/http-util.js';
import { sendMetrics } from './endpoint.js';

export interface MetricsServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const LOOPBACK = '127.0.0.1';

/**
 * GET /metrics alone, on a loopback port: the desktop app's way to be
 * scraped (the web host serves the same route beside its others). The key
 * is required as everywhere else; nothing but the route is served.
 */
export async function startMetricsServer(app: VegaApp, opts: { port: number; apiKey: string }): Promise<MetricsServer> {
  const { rm } = app;
  const backoff = new AuthBackoff();
  const sockets = new Set<Socket>();
  // eslint-disable-next-line @typescript-eslint/no-misused-promises -- the handler catches every error itself and answers 500
  const server = http.createServer({ requestTimeout: 10_000, headersTimeout: 10_000 }, async (req, res) => {
    try {
      if (!hostAllowed(req.headers.host, LOOPBACK)) return sendError(res, 421, 'FORBIDDEN_SENDER', 'This host name is not served here.');
      if (!keyMatches(presentedKey(req), opts.apiKey)) {
        if (await backoff.refuse(req.socket.remoteAddress ?? ''))
          sendError(res, 401, 'UNAUTHORIZED', 'Missing or wrong key: send X-API-Key or Authorization: Bearer.');
        else req.socket.destroy();
        return;
      }
      const path = new URL(req.url ?? '/', 'http://vega.invalid').pathname;
      if (req.method !== 'GET' || path !== '/metrics') return sendError(res, 404, 'NOT_FOUND', 'There is nothing here.');
      await sendMetrics(app, req, res);
    } catch (err) {
      rm.logger.error({ err }, 'metrics endpoint failed');
      sendError(res, 500, 'INTERNAL', 'Something went wrong inside Vega; the log has the details.');
    }
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, LOOPBACK, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      // A scrape is short: whatever is still open (an idle keep-alive) is cut at once.
      sockets.forEach((s) => s.destroy());
    }));
  rm.registerCleanup('metrics-server', close, { phase: 'background' });
  return { url: `http://${LOOPBACK}:${port}`, port, close };
}

/**
 * The desktop app's glue: VEGA_METRICS_PORT turns the endpoint on (off when
 * unset). It needs VEGA_API_KEY, which Prometheus sends; without one it
 * stays off and says so in the log. A port in use is logged, not fatal.
 */
export async function startConfiguredMetricsServer(app: VegaApp): Promise<MetricsServer | null> {
  const { rm } = app;
  const cfg = await rm.config.get();
  if (!cfg.has('VEGA_METRICS_PORT')) return null;
  const apiKey = cfg.string('VEGA_API_KEY');
  if (!apiKey) {
    rm.logger.warn(
      'VEGA_METRICS_PORT is set but VEGA_API_KEY is not: the metrics endpoint stays off (it needs the key Prometheus will send).',
    );
    return null;
  }
  try {
    const server = await startMetricsServer(app, { port: cfg.int('VEGA_METRICS_PORT'), apiKey });
    rm.logger.info({ url: `${server.url}/metrics` }, 'Prometheus metrics endpoint listening');
    return server;
  } catch (err) {
    rm.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'The metrics endpoint could not start (VEGA_METRICS_PORT)');
    return null;
  }
}
