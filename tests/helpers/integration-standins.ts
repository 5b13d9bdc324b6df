import type http from 'node:http';
import type { buildConnector } from 'undici';
import type { ResolvedAddress, Resolver } from '../../src-main/integrations/address-guard.js';
import type { ToolContext } from '../../src-main/integrations/types.js';
import { tempEngine, type TempEngine } from './engine.js';
import { startCountingServer, type CountingServer } from './servers.js';

/**
 * Stand-ins for the services the integrations talk to, on 127.0.0.1 only,
 * faithful to each wire format (SearXNG JSON, Home Assistant REST, GitHub
 * REST with rate-limit headers, Slack's `ok:false`, OAuth device flow).
 * Faults are routes swapped in per test.
 */

export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  /** TLS server name the client sent (https stand-ins). */
  readonly servername: string | null;
}

export type Route = (req: SeenRequest, res: http.ServerResponse) => void;

export interface StandIn extends CountingServer {
  readonly requests: SeenRequest[];
  readonly port: number;
  /** Set or replace the route for "METHOD /path"; a key ending in '*' matches by prefix. */
  route(key: string, handler: Route): void;
}

export async function startStandIn(routes: Record<string, Route> = {}, tls?: { key: string; cert: string }): Promise<StandIn> {
  const table = new Map(Object.entries(routes));
  const requests: SeenRequest[] = [];
  const server = await startCountingServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://stand-in');
      const seen: SeenRequest = {
        method: req.method ?? 'GET',
        path: u.pathname,
        query: u.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        servername: (req.socket as { servername?: string | false }).servername || null,
      };
      requests.push(seen);
      const handler = match(table, seen.method, seen.path);
      if (!handler) return json(res, 404, { message: 'Not Found' });
      handler(seen, res);
    });
  }, tls);
  return Object.assign(server, {
    requests,
    port: Number(new URL(server.url).port),
    route: (key: string, h: Route) => void table.set(key, h),
  });
}

function match(table: Map<string, Route>, method: string, path: string): Route | undefined {
  const exact = table.get(`${method} ${path}`);
  if (exact) return exact;
  for (const [key, h] of table) {
    if (key.endsWith('*') && `${method} ${path}`.startsWith(key.slice(0, -1))) return h;
  }
  return undefined;
}

// ---- responses ---------------------------------------------------------------

export function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

export function reply(status: number, body: unknown, headers: Record<string, string> = {}): Route {
  return (_req, res) => json(res, status, body, headers);
}

export function text(status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}): Route {
  return (_req, res) => {
    res.writeHead(status, { ...(type ? { 'content-type': type } : {}), ...headers });
    res.end(body);
  };
}

/** Headers never come: the client's timeout must fire. The socket dies with the server. */
export const stall: Route = () => {};

/** Not JSON, though it says so. */
export const malformed: Route = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{"results": [ {"title": "cut off');
};

/** `bytes` of body in 64 KiB chunks, no content-length (so only a running count can stop it). */
export function oversized(bytes: number, type = 'application/json', declare = false): Route {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': type, ...(declare ? { 'content-length': String(bytes) } : {}) });
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let sent = 0;
    const pump = (): void => {
      while (sent < bytes) {
        const n = Math.min(chunk.length, bytes - sent);
        sent += n;
        if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
          res.once('drain', pump);
          return;
        }
      }
      res.end();
    };
    res.on('error', () => {});
    res.socket?.on('error', () => {});
    pump();
  };
}

/** Each call answers with the next route; the last one repeats. */
export function sequence(...routes: Route[]): Route {
  let i = 0;
  return (req, res) => routes[Math.min(i++, routes.length - 1)]!(req, res);
}

function bearer(req: SeenRequest): string | undefined {
  return /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
}

// ---- the services --------------------------------------------------------------

export async function startSearxng(): Promise<StandIn> {
  return startStandIn({
    'GET /healthz': text(200, 'text/plain', 'OK'),
    'GET /search': (req, res) => {
      if (req.query.get('format') !== 'json') return json(res, 403, { error: 'format' });
      const q = req.query.get('q') ?? '';
      json(res, 200, {
        query: q,
        results: Array.from({ length: 8 }, (_, i) => ({
          title: `Result ${i + 1} for ${q}`,
          url: `https://example.org/${i + 1}`,
          content: `Snippet ${i + 1}`,
          engine: 'stand-in',
        })),
        answers: [],
      });
    },
  });
}

export const HA_TOKEN = 'ha-long-lived-token-123';

export async function startHomeAssistant(): Promise<StandIn> {
  const states = [
    { entity_id: 'light.kitchen', state: 'off', attributes: { friendly_name: 'Kitchen Light' } },
    { entity_id: 'light.porch', state: 'on', attributes: { friendly_name: 'Porch' } },
    { entity_id: 'sensor.living_temp', state: '21.5', attributes: { friendly_name: 'Living room temperature', unit_of_measurement: '°C' } },
    { entity_id: 'switch.fan', state: 'off', attributes: {} },
  ];
  const authed =
    (route: Route): Route =>
    (req, res) => {
      if (bearer(req) !== HA_TOKEN) return text(401, 'text/plain', '401: Unauthorized')(req, res);
      route(req, res);
    };
  return startStandIn({
    'GET /api/': authed(reply(200, { message: 'API running.' })),
    'GET /api/states': authed(reply(200, states)),
    'POST /api/services/*': authed((req, res) => {
      const [, , , domain, service] = req.path.split('/');
      if (domain !== 'light' || !['turn_on', 'turn_off', 'toggle'].includes(service ?? ''))
        return json(res, 400, { message: `Service ${domain}.${service} not found.` });
      const body = JSON.parse(req.body || '{}') as { entity_id?: string };
      const target = states.find((s) => s.entity_id === body.entity_id);
      if (!target) return json(res, 200, []);
      target.state = service === 'turn_on' ? 'on' : service === 'turn_off' ? 'off' : target.state === 'on' ? 'off' : 'on';
      json(res, 200, [target]);
    }),
  });
}

/** A fixed reset time (epoch seconds) the GitHub stand-in reports. */
export const GITHUB_RESET = 1_900_000_000;

/** The one repository the GitHub stand-in finds, described by the query. */
export function githubRepo(query: string | null): object {
  return {
    full_name: 'octo/hello',
    html_url: 'https://github.com/octo/hello',
    description: `About ${query}`,
    language: 'TypeScript',
    stargazers_count: 7,
    updated_at: '2025-01-02T00:00:00Z',
  };
}

export async function startGitHub(): Promise<StandIn> {
  let remaining = 5000;
  const rate = (): Record<string, string> => ({
    'x-ratelimit-limit': '5000',
    'x-ratelimit-remaining': String(Math.max(0, --remaining)),
    'x-ratelimit-reset': String(GITHUB_RESET),
    'x-ratelimit-resource': 'core',
  });
  const withRate =
    (body: unknown): Route =>
    (_req, res) =>
      json(res, 200, body, rate());
  return startStandIn({
    'GET /rate_limit': withRate({ resources: { core: { limit: 5000 } } }),
    'GET /search/repositories': (req, res) =>
      json(
        res,
        200,
        {
          total_count: 42,
          items: [githubRepo(req.query.get('q'))],
        },
        { ...rate(), 'x-ratelimit-resource': 'search' },
      ),
    'GET /search/issues': withRate({
      total_count: 1,
      items: [
        {
          number: 1,
          title: 'It breaks',
          state: 'open',
          html_url: 'https://github.com/octo/hello/issues/1',
          repository_url: 'https://api.github.com/repos/octo/hello',
          comments: 2,
          user: { login: 'mona' },
        },
      ],
    }),
    'GET /repos/octo/hello/issues/1': withRate({
      number: 1,
      title: 'It breaks',
      state: 'open',
      html_url: 'https://github.com/octo/hello/issues/1',
      comments: 2,
      user: { login: 'mona' },
      created_at: '2025-01-01T00:00:00Z',
      body: 'Steps to reproduce…',
      labels: [{ name: 'bug' }],
    }),
    'GET /repos/octo/hello/issues/1/comments': withRate([
      { user: { login: 'hubot' }, created_at: '2025-01-02T00:00:00Z', body: 'Confirmed.' },
      { user: { login: 'mona' }, created_at: '2025-01-03T00:00:00Z', body: 'Fixed in #2.' },
    ]),
  });
}

export const SLACK_TOKEN = 'xoxb-stand-in-token';

export async function startSlack(): Promise<StandIn> {
  const authed =
    (route: Route): Route =>
    (req, res) => {
      if (bearer(req) !== SLACK_TOKEN) return json(res, 200, { ok: false, error: 'invalid_auth' });
      route(req, res);
    };
  return startStandIn({
    'POST /api/auth.test': authed(reply(200, { ok: true, team: 'Stand-in', user: 'vega' })),
    'GET /api/conversations.list': authed(
      reply(200, {
        ok: true,
        channels: [
          { id: 'C1', name: 'general', is_private: false, is_member: true, num_members: 12, topic: { value: 'Everything' } },
          { id: 'C2', name: 'secret', is_private: true, is_member: false, num_members: 3 },
        ],
      }),
    ),
    'POST /api/chat.postMessage': authed((req, res) => {
      const body = JSON.parse(req.body || '{}') as { channel?: string; text?: string };
      if (body.channel === 'C404') return json(res, 200, { ok: false, error: 'channel_not_found' });
      if (body.channel === 'C2') return json(res, 200, { ok: false, error: 'not_in_channel' });
      json(res, 200, { ok: true, channel: body.channel, ts: '1700000000.000100', message: { text: body.text } });
    }),
  });
}

export interface OAuthStep {
  readonly status?: number;
  readonly body: Record<string, unknown>;
}

/**
 * An OAuth server with the device grant: OIDC discovery at the root, or
 * GitHub's paths. The token endpoint answers the scripted steps in turn
 * (the last repeats); refresh grants answer `refresh`.
 */
export async function startDeviceServer(kind: 'oidc' | 'github', script: OAuthStep[], refresh?: OAuthStep): Promise<StandIn> {
  const devicePath = kind === 'oidc' ? '/oauth/device' : '/login/device/code';
  const tokenPath = kind === 'oidc' ? '/oauth/token' : '/login/oauth/access_token';
  let step = 0;
  const s = await startStandIn({});
  s.route('GET /.well-known/openid-configuration', (_req, res) =>
    json(res, 200, {
      issuer: s.url,
      device_authorization_endpoint: `${s.url}${devicePath}`,
      token_endpoint: `${s.url}${tokenPath}`,
      authorization_endpoint: `${s.url}/authorize`,
    }),
  );
  s.route(`POST ${devicePath}`, (_req, res) =>
    json(res, 200, {
      device_code: 'device-code-secret',
      user_code: 'WDJB-MJHT',
      verification_uri: `${s.url}/activate`,
      verification_uri_complete: `${s.url}/activate?code=WDJB-MJHT`,
      expires_in: 900,
      interval: 0,
    }),
  );
  s.route(`POST ${tokenPath}`, (req, res) => {
    const form = new URLSearchParams(req.body);
    if (form.get('grant_type') === 'refresh_token') {
      const r = refresh ?? { status: 400, body: { error: 'invalid_grant' } };
      return json(res, r.status ?? 200, r.body);
    }
    const r = script[Math.min(step++, script.length - 1)] ?? { status: 400, body: { error: 'invalid_request' } };
    json(res, r.status ?? (kind === 'github' ? 200 : r.body.error ? 400 : 200), r.body);
  });
  return s;
}

// ---- the engine under test ------------------------------------------------------

/**
 * A connector wrapper that refuses every address but 127.0.0.1 and ::1, and
 * records what it refused: whatever the SSRF guard decides, these tests
 * cannot send a packet off the machine.
 */
export function loopbackOnly(): { wrap: (c: buildConnector.connector) => buildConnector.connector; refused: string[] } {
  const refused: string[] = [];
  const wrap =
    (connect: buildConnector.connector): buildConnector.connector =>
    (opts, callback) => {
      const host = opts.hostname.replace(/^\[(.*)\]$/, '$1');
      if (host !== '127.0.0.1' && host !== '::1') {
        refused.push(host);
        // A code of its own, so the pool's retry (which retries code-less errors) does not try twice.
        callback(Object.assign(new Error(`test connector: refused to connect to ${host}`), { code: 'VEGA_TEST_REFUSED' }), null);
        return;
      }
      connect(opts, callback);
    };
  return { wrap, refused };
}

export interface IntegrationEngine extends TempEngine {
  /** Addresses the loopback-only connector refused (should stay empty: the guard decides first). */
  readonly refused: string[];
}

export async function integrationEngine(envText = '', tls?: { ca: string }): Promise<IntegrationEngine> {
  const guard = loopbackOnly();
  const e = await tempEngine({ envText, http: { wrapConnect: guard.wrap, ...(tls ? { tls } : {}) } });
  return Object.assign(e, { refused: guard.refused });
}

/** Name resolution from a table; unknown names fail like DNS would. Records every question. */
export function tableResolver(table: Record<string, string[]>): Resolver & { calls: string[] } {
  const calls: string[] = [];
  const resolve = async (host: string): Promise<ResolvedAddress[]> => {
    calls.push(host);
    const found = table[host];
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(resolve, { calls });
}

export function ctx(signal: AbortSignal = new AbortController().signal): ToolContext {
  return { signal, requestId: 'test-request' };
}
