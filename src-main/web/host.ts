import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { REQUEST_ID_PATTERN } from '../../src-shared/limits.js';
import type { VegaApp } from '../app/create-app.js';
import { sendMetrics } from '../metrics/endpoint.js';
import { healthJson, statsJson, storageJson } from './admin-json.js';
import { generateKey, hostAllowed, keyMatches } from './auth.js';
import { AuthBackoff } from './auth-backoff.js';
import { handleChatRoute } from './chat-route.js';
import { handlePullRoute } from './models-route.js';
import { sendApiError } from './openai-api/errors.js';
import { isOpenAIPath, openaiRoutes } from './openai-api/routes.js';
import { HttpError, presentedKey, sendError, sendJson } from './http-util.js';
import { serveStatic } from './static-files.js';
import { WsBridge } from './ws-bridge.js';

export interface WebHostOptions {
  readonly app: VegaApp;
  /** Folder of the built renderer; without it only the APIs are served. */
  readonly staticDir?: string;
  /** Override VEGA_HOST / VEGA_PORT (tests use port 0). */
  readonly host?: string;
  readonly port?: number;
  /** How often sockets are pinged; a socket that misses one beat is dropped (30 s; tests go faster). */
  readonly heartbeatMs?: number;
  /**
   * How long a request's headers and body may take to arrive (60 s; tests go faster). The answer is
   * not bounded: a chat streams as long as it needs.
   */
  readonly requestTimeoutMs?: number;
  /** The desktop's Local server: only the OpenAI-compatible API (/v1), no window, socket or admin routes. */
  readonly openaiOnly?: boolean;
}

export interface WebHost {
  readonly url: string;
  readonly port: number;
  /** The API key: VEGA_API_KEY, or one generated for this run. */
  readonly apiKey: string;
  readonly keyGenerated: boolean;
  /** Stop accepting, close sockets. Also a step of the engine's shutdown, so the quit closes it. */
  close(): Promise<void>;
}

type Route = (req: IncomingMessage, res: ServerResponse, requestId: string) => Promise<void> | void;

/**
 * The headless host: the built renderer, the contract over one WebSocket
 * (/ws) and the seed's admin API, all behind one key.
 */
export async function startWebHost(opts: WebHostOptions): Promise<WebHost> {
  const { app } = opts;
  const { rm } = app;
  const cfg = await rm.config.get();
  const bindHost = opts.host ?? cfg.string('VEGA_HOST');
  const bindPort = opts.port ?? cfg.int('VEGA_PORT');
  const configuredKey = cfg.string('VEGA_API_KEY');
  const apiKey = configuredKey || generateKey();
  rm.addSecret(apiKey);
  const bridge = new WsBridge(app, opts.heartbeatMs);
  const backoff = new AuthBackoff();
  // Every request carries the key or it gets a (possibly slowed) 401; a guesser past the bound is dropped unanswered.
  const refuse = async (req: IncomingMessage): Promise<never> => {
    if (!(await backoff.refuse(req.socket.remoteAddress ?? ''))) req.socket.destroy();
    throw new HttpError(401, 'UNAUTHORIZED', 'Missing or wrong X-API-Key header.');
  };
  const requestTimeout = opts.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;

  const routes: Record<string, Route> = opts.openaiOnly
    ? openaiRoutes(app)
    : {
        ...openaiRoutes(app),
        'GET /admin/resources/health': (_req, res) => sendJson(res, 200, healthJson(rm.health())),
        'GET /admin/resources/stats': (_req, res) =>
          sendJson(
            res,
            200,
            rm.redactDeep(
              statsJson(
                { ...rm.snapshot(), mcp: app.mcp.snapshot(), endpoints: app.chat.endpoints() },
                new Date().toISOString(),
                app.integrations.stats(),
              ),
            ),
          ),
        'POST /admin/resources/cache/invalidate': (_req, res) => {
          rm.invalidateConfig();
          sendJson(res, 200, {
            status: 'success',
            message: 'Configuration cache invalidated successfully',
            timestamp: new Date().toISOString(),
          });
        },
        'GET /admin/database/stats': async (_req, res) => {
          await rm.storage.refresh();
          sendJson(res, 200, { ...storageJson(rm.storage.stats()), timestamp: new Date().toISOString() });
        },
        'GET /metrics': (req, res) => sendMetrics(app, req, res),
        'POST /chat': (req, res, requestId) => handleChatRoute(app, req, res, requestId),
        'POST /admin/models/pull': (req, res) => handlePullRoute(app, req, res),
      };

  const server = http.createServer(
    {
      requestTimeout,
      headersTimeout: Math.min(HEADERS_TIMEOUT_MS, requestTimeout),
      connectionsCheckingInterval: Math.min(HEADERS_TIMEOUT_MS, requestTimeout / 4),
    },
    // eslint-disable-next-line @typescript-eslint/no-misused-promises -- the handler catches every error itself and answers 500
    async (req, res) => {
      const requestId = validRequestId(req.headers['x-request-id']) ?? randomUUID();
      res.setHeader('x-request-id', requestId);
      try {
        if (!hostAllowed(req.headers.host, bindHost)) throw new HttpError(421, 'FORBIDDEN_SENDER', 'This host name is not served here.');
        const url = new URL(req.url ?? '/', 'http://vega.invalid');
        const route = routes[`${req.method} ${url.pathname}`];
        if (route || isApiPath(url.pathname)) {
          // 401 before any work: the body is not even read.
          if (!keyMatches(presentedKey(req), apiKey)) await refuse(req);
          if (!route) throw notFound();
          const started = performance.now();
          res.once('finish', () => {
            const line = {
              requestId,
              method: req.method,
              path: url.pathname,
              status: res.statusCode,
              ms: Math.round(performance.now() - started),
            };
            // Reads are polled by scripts and dashboards; actions are worth a line each.
            if (req.method === 'GET') rm.logger.debug(line, `${req.method} ${url.pathname} ${res.statusCode}`);
            else rm.logger.info(line, `${req.method} ${url.pathname} ${res.statusCode}`);
          });
          await route(req, res, requestId);
          return;
        }
        if ((req.method === 'GET' || req.method === 'HEAD') && opts.staticDir) {
          if (await serveStatic(opts.staticDir, url.pathname, res, req.headers['accept-encoding'])) return;
        }
        throw notFound();
      } catch (err) {
        if (!(err instanceof HttpError)) rm.logger.error({ err, requestId }, 'web host request failed');
        const e =
          err instanceof HttpError ? err : new HttpError(500, 'INTERNAL', 'Something went wrong inside Vega; the log has the details.');
        // OpenAI's clients read their own error shape.
        if (isOpenAIPath(req.url)) sendApiError(res, e, rm.redact(e.message));
        else sendError(res, e.status, e.code, rm.redact(e.message));
      }
    },
  );

  server.on('upgrade', (req, socket: Socket, head) => {
    const url = new URL(req.url ?? '/', 'http://vega.invalid');
    const key = url.searchParams.get('token') ?? header(req, 'x-api-key');
    // A page from another site may not open our socket, even with a stolen token.
    const crossSite = req.headers.origin !== undefined && !sameHost(req.headers.origin, req.headers.host);
    if (url.pathname !== '/ws' || opts.openaiOnly || !hostAllowed(req.headers.host, bindHost) || crossSite || !keyMatches(key, apiKey)) {
      const status =
        url.pathname !== '/ws' || opts.openaiOnly
          ? '404 Not Found'
          : crossSite
            ? '403 Forbidden'
            : !hostAllowed(req.headers.host, bindHost)
              ? '421 Misdirected Request'
              : '401 Unauthorized';
      const answer = (): void => void socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      if (status.startsWith('401'))
        void backoff.refuse(socket.remoteAddress ?? '').then((answered) => (answered ? answer() : socket.destroy()));
      else answer();
      return;
    }
    bridge.upgrade(req, socket, head);
  });

  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(bindPort, bindHost, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = bindHost.includes(':') ? `[${bindHost}]` : bindHost;
  const url = `http://${shownHost}:${port}`;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      await bridge.close();
      server.closeIdleConnections();
      setTimeout(() => sockets.forEach((s) => s.destroy()), 1_000).unref();
      await stopped;
    })());
  // Background phase: while the answers stop (llm phase), their last events
  // and /chat lines still reach the clients; the server goes after.
  rm.registerCleanup(opts.openaiOnly ? 'local-server' : 'web-host', close, { phase: 'background' });
  return { url, port, apiKey, keyGenerated: !configuredKey, close };
}

const REQUEST_TIMEOUT_MS = 60_000;
const HEADERS_TIMEOUT_MS = 30_000;

/** One text for every unknown path: echoing it (even redacted) would confirm a key guessed into the path. */
function notFound(): HttpError {
  return new HttpError(404, 'NOT_FOUND', 'There is nothing here.');
}

function sameHost(origin: string, host: string | undefined): boolean {
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

function isApiPath(p: string): boolean {
  return p === '/chat' || p === '/metrics' || p.startsWith('/admin/') || p.startsWith('/api/') || isOpenAIPath(p);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function validRequestId(v: string | string[] | undefined): string | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  return s && REQUEST_ID_PATTERN.test(s) ? s : undefined;
}
