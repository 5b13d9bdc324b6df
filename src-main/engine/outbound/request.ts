import type { IncomingHttpHeaders } from 'node:http';
import { request, type Dispatcher } from 'undici';
import { VegaError } from '../../../src-shared/errors.js';
import { withRequestId } from '../http-client.js';
import { readCapped } from './body.js';
import { transportError, type Peer } from './errors.js';

export interface OutboundRequest {
  readonly method?: 'GET' | 'POST' | 'DELETE';
  readonly url: URL;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly signal?: AbortSignal;
  /** The chat turn's id, sent as x-request-id: the engine's request table and the server's log can then be matched to the turn. */
  readonly requestId?: string;
  /** False for pages the model chose (web fetch): the id still tags the request in the table, but is not sent. */
  readonly sendRequestId?: boolean;
  /** undici's headers and body timeouts for this call, where the pool's do not fit (an LLM may think for minutes). */
  readonly timeoutMs?: number;
}

/** An answer read whole: statuses are the caller's to judge. */
export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  text(): string;
}

/** Default cap for an API's answer; callers that expect more say so. */
const API_BODY_LIMIT = 2 * 1024 * 1024;

/**
 * Start a request on the engine's pooled dispatcher (the only one there is).
 * The body is the caller's to read or discard; a transport failure comes
 * back as the sentence `transportError` makes of it.
 */
export async function open(dispatcher: Dispatcher, peer: Peer, opts: OutboundRequest): Promise<Dispatcher.ResponseData> {
  const sendId = opts.requestId && opts.sendRequestId !== false;
  try {
    return await request(
      opts.url,
      withRequestId(
        {
          dispatcher,
          method: opts.method ?? 'GET',
          headers: sendId ? { ...opts.headers, 'x-request-id': opts.requestId } : opts.headers,
          body: opts.body,
          signal: opts.signal,
          ...(opts.timeoutMs === undefined ? {} : { headersTimeout: opts.timeoutMs, bodyTimeout: opts.timeoutMs }),
        },
        opts.requestId,
      ),
    );
  } catch (err) {
    throw transportError(err, peer, 'request', opts.signal);
  }
}

/** Read an opened answer whole, up to `maxBytes`. */
export async function readReply(
  res: Dispatcher.ResponseData,
  peer: Peer,
  opts: { readonly maxBytes?: number; readonly signal?: AbortSignal } = {},
): Promise<Reply> {
  try {
    const body = await readCapped(res.body, res.headers, opts.maxBytes ?? API_BODY_LIMIT, peer.name);
    return { status: res.statusCode, headers: res.headers, body, text: () => body.toString('utf8') };
  } catch (err) {
    throw transportError(err, peer, 'body', opts.signal);
  }
}

/** Request and read the whole (bounded) answer, whatever its status. */
export async function send(dispatcher: Dispatcher, peer: Peer, opts: OutboundRequest & { readonly maxBytes?: number }): Promise<Reply> {
  return readReply(await open(dispatcher, peer, opts), peer, opts);
}

/** `hint` follows the complaint: what to check when a server answers with something else ("is OLLAMA_HOST the right address?"). */
export function parseJson<T>(reply: Reply, peer: Pick<Peer, 'name'>, hint?: string): T {
  try {
    return JSON.parse(reply.text()) as T;
  } catch (err) {
    throw new VegaError(
      'PROVIDER_ERROR',
      `${peer.name} sent an answer that is not valid JSON (HTTP ${reply.status})${hint ? ` — ${hint}` : '.'}`,
      { cause: err },
    );
  }
}
