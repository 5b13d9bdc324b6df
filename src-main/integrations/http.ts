import type { IncomingHttpHeaders } from 'node:http';
import { request, type Dispatcher } from 'undici';
import { VegaError } from '../../src-shared/errors.js';
import { withRequestId } from '../engine/http-client.js';
import type { ResourceManager } from '../engine/resource-manager.js';

/**
 * The integrations' one way out: undici's request on the engine's pooled
 * dispatcher, a deadline over the whole exchange, a bounded body read, and
 * transport failures turned into sentences that name the service and the fix.
 */

export interface ServiceInfo {
  /** Shown in messages: "GitHub", "Home Assistant". */
  readonly name: string;
  /** The setting that points at the service, named when it cannot be reached. */
  readonly urlKey?: string;
}

export type Body = Dispatcher.ResponseData['body'];

export interface OpenOptions {
  readonly method?: 'GET' | 'POST';
  readonly url: URL;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Covers connect, headers and body: make it with `deadline()`. */
  readonly signal: AbortSignal;
  /** The chat turn's id, sent as x-request-id: the engine's request table and the service's log can then be matched to the turn. */
  readonly requestId?: string;
  /** False for pages the model chose (web fetch): the id still tags the request in the table, but is not sent. */
  readonly sendRequestId?: boolean;
}

export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  text(): string;
}

/** Default cap for an API's answer; callers that expect more say so. */
export const API_BODY_LIMIT = 2 * 1024 * 1024;

/**
 * The caller's signal joined with an overall deadline. undici's own timeouts
 * are per phase (headers, then each body chunk), so a server that drips a
 * byte at a time would never trip them; this bounds the whole call.
 */
export function deadline(rm: ResourceManager, signal?: AbortSignal, factor = 2): AbortSignal {
  // The extra second lets undici's own timeouts (on a ~0.5 s tick) fire first
  // when they apply: their messages say which phase was slow.
  const timeout = AbortSignal.timeout(rm.httpSettings.timeoutMs * factor + 1000);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}

/** Start a request on the pooled client. The body is the caller's to read or discard. */
export async function open(rm: ResourceManager, service: ServiceInfo, opts: OpenOptions): Promise<Dispatcher.ResponseData> {
  try {
    const send = opts.requestId && opts.sendRequestId !== false;
    return await request(
      opts.url,
      withRequestId(
        {
          dispatcher: rm.httpClient(),
          method: opts.method ?? 'GET',
          headers: send ? { ...opts.headers, 'x-request-id': opts.requestId } : opts.headers,
          body: opts.body,
          signal: opts.signal,
        },
        opts.requestId,
      ),
    );
  } catch (err) {
    throw transportError(err, service, opts.url, opts.signal, rm.httpSettings.timeoutMs / 1000);
  }
}

/** Request and read the whole (bounded) body, whatever the status: statuses are the caller's to judge. */
export async function send(rm: ResourceManager, service: ServiceInfo, opts: OpenOptions & { maxBytes?: number }): Promise<Reply> {
  const res = await open(rm, service, opts);
  try {
    const body = await readCapped(res.body, res.headers, opts.maxBytes ?? API_BODY_LIMIT, service.name);
    return { status: res.statusCode, headers: res.headers, body, text: () => body.toString('utf8') };
  } catch (err) {
    throw transportError(err, service, opts.url, opts.signal, rm.httpSettings.timeoutMs / 1000);
  }
}

/** Read a body up to `max` bytes; past it, stop reading (the socket is dropped) and say so. */
export async function readCapped(body: Body, headers: IncomingHttpHeaders, max: number, what: string): Promise<Buffer> {
  const tooLarge = (): VegaError => new VegaError('PAYLOAD_TOO_LARGE', `${what} sent more than ${formatBytes(max)}; Vega stopped reading it.`);
  const declared = Number(header(headers, 'content-length'));
  if (Number.isFinite(declared) && declared > max) {
    discard(body);
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const chunk of body) {
    const buf = chunk as Buffer;
    n += buf.length;
    if (n > max) {
      discard(body);
      throw tooLarge();
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks, n);
}

/** Drop a body we will not read. An unread body whose socket closes crashes undici 7 (#5360), so never leave one. */
export function discard(body: Body): void {
  body.on('error', () => {});
  if (!body.destroyed && !body.readableEnded) body.destroy();
}

/** Read and throw away a small body (a redirect's), so the socket goes back to the pool. */
export async function drain(body: Body): Promise<void> {
  try {
    await body.dump({ limit: 64 * 1024 });
  } catch {
    discard(body);
  }
}

export function parseJson<T>(reply: Reply, service: ServiceInfo): T {
  try {
    return JSON.parse(reply.text()) as T;
  } catch {
    throw new VegaError('PROVIDER_ERROR', `${service.name} sent an answer that is not valid JSON (HTTP ${reply.status}).`);
  }
}

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Retry-After in seconds (delta or HTTP date); undefined when absent or unreadable. */
export function retryAfterSeconds(headers: IncomingHttpHeaders, now = Date.now()): number | undefined {
  const raw = header(headers, 'retry-after')?.trim();
  if (!raw) return undefined;
  if (/^\d+$/.test(raw)) return Number(raw);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/**
 * A status a service answered with, as a sentence. Integrations handle the
 * statuses they know better first; this is the common remainder.
 */
export function statusError(service: ServiceInfo, reply: Pick<Reply, 'status' | 'headers'>, detail = '', hint = ''): VegaError {
  const s = reply.status;
  const said = detail.trim() ? `: ${detail.trim().slice(0, 300)}` : '';
  const then = hint ? ` ${hint}` : '';
  if (s === 401) return new VegaError('UNAUTHORIZED', `${service.name} refused Vega's credentials (401)${said}.${then}`);
  if (s === 403) return new VegaError('UNAUTHORIZED', `${service.name} denied access (403)${said}.${then}`);
  if (s === 404) return new VegaError('NOT_FOUND', `${service.name} has no such thing (404)${said}.${then}`);
  if (s === 429) {
    const after = retryAfterSeconds(reply.headers);
    const when = after === undefined ? 'try again in a while' : `try again in ${after} s`;
    return new VegaError('PROVIDER_ERROR', `${service.name} is limiting how often Vega may call it (429); ${when}.`);
  }
  if (s >= 500) return new VegaError('PROVIDER_ERROR', `${service.name} had an error of its own (HTTP ${s})${said}.${then}`);
  return new VegaError('PROVIDER_ERROR', `${service.name} answered HTTP ${s}${said}.${then}`);
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

function errorCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | null;
  const code = e?.code ?? e?.cause?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A transport failure as the person should read it; VegaErrors pass through. */
export function transportError(err: unknown, service: ServiceInfo, url: URL, signal: AbortSignal | undefined, timeoutS: number): VegaError {
  if (err instanceof VegaError) return err;
  const where = url.origin;
  if (signal?.aborted) {
    const reason = signal.reason as { name?: string } | undefined;
    if (reason?.name === 'TimeoutError') return new VegaError('TIMEOUT', `${service.name} did not finish answering in time (${where}).`, { cause: err });
    return new VegaError('ABORTED', 'Stopped.', { cause: err });
  }
  const code = errorCode(err);
  const raise = `raise VEGA_HTTP_TIMEOUT_S (now ${timeoutS} s) if it is just slow`;
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return new VegaError('TIMEOUT', `${service.name} at ${where} did not accept a connection within ${timeoutS} s.`, { cause: err });
  if (code === 'UND_ERR_HEADERS_TIMEOUT') return new VegaError('TIMEOUT', `${service.name} did not answer within ${timeoutS} s — ${raise}.`, { cause: err });
  if (code === 'UND_ERR_BODY_TIMEOUT') return new VegaError('TIMEOUT', `${service.name} stopped sending its answer for ${timeoutS} s — ${raise}.`, { cause: err });
  if (code === 'UND_ERR_ABORTED' || (err as { name?: string } | null)?.name === 'AbortError') return new VegaError('ABORTED', 'Stopped.', { cause: err });
  if (code && UNREACHABLE.has(code)) {
    const check = service.urlKey ? ` — check ${service.urlKey} and that the service is up` : '';
    return new VegaError('PROVIDER_UNREACHABLE', `${service.name} is not reachable at ${where} (${code})${check}.`, { cause: err });
  }
  if (code && /CERT|TLS|SSL|SELF_SIGNED/.test(code)) {
    return new VegaError('PROVIDER_ERROR', `${service.name}'s certificate at ${where} was not accepted (${code}).`, { cause: err });
  }
  return new VegaError('PROVIDER_ERROR', `${service.name} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}

/** Wait `ms`, or stop early with ABORTED when the signal fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  const stopped = (): VegaError =>
    (signal?.reason as { name?: string } | undefined)?.name === 'TimeoutError' ? new VegaError('TIMEOUT', 'Ran out of time while waiting to try again.') : new VegaError('ABORTED', 'Stopped.');
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(stopped());
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(stopped());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A base URL with a trailing slash, so `new URL('api/x', base)` keeps a path prefix (https://host/ha/). */
export function asBase(url: URL): URL {
  const u = new URL(url.href);
  if (!u.pathname.endsWith('/')) u.pathname += '/';
  u.search = '';
  u.hash = '';
  return u;
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}
