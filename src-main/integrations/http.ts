import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import { VegaError } from '../../src-shared/errors.js';
import { DeadlineError, withDeadline } from '../engine/deadline.js';
import * as outbound from '../engine/outbound/index.js';
import type { ResourceManager } from '../engine/resource-manager.js';

/**
 * What the integrations add to the engine's outbound module: the service
 * named in messages, the pool's timeouts, a deadline over a whole tool run,
 * and the sentences for the statuses services answer with.
 */

export interface ServiceInfo {
  /** Shown in messages: "GitHub", "Home Assistant". */
  readonly name: string;
  /** The setting that points at the service, named when it cannot be reached. */
  readonly urlKey?: string;
}

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

/** The service at `url` as the outbound module's messages name it. */
export function peerOf(rm: ResourceManager, service: ServiceInfo, url: URL): outbound.Peer {
  return {
    name: service.name,
    url: url.origin,
    timeoutS: rm.httpSettings.timeoutMs / 1000,
    timeoutKey: 'VEGA_HTTP_TIMEOUT_S',
    ...(service.urlKey ? { startHint: `check ${service.urlKey} and that the service is up` } : {}),
  };
}

/** Start a request on the pooled client. The body is the caller's to read or discard. */
export async function open(rm: ResourceManager, service: ServiceInfo, opts: outbound.OutboundRequest): Promise<Dispatcher.ResponseData> {
  return outbound.open(rm.httpClient(), peerOf(rm, service, opts.url), opts);
}

/** Request and read the whole (bounded) answer, whatever the status: statuses are the caller's to judge. */
export async function send(
  rm: ResourceManager,
  service: ServiceInfo,
  opts: outbound.OutboundRequest & { maxBytes?: number },
): Promise<outbound.Reply> {
  return outbound.send(rm.httpClient(), peerOf(rm, service, opts.url), opts);
}

/** Retry-After in seconds (delta or HTTP date); undefined when absent or unreadable. */
export function retryAfterSeconds(headers: IncomingHttpHeaders, now = Date.now()): number | undefined {
  const raw = outbound.header(headers, 'retry-after')?.trim();
  if (!raw) return undefined;
  if (/^\d+$/.test(raw)) return Number(raw);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/**
 * A status a service answered with, as a sentence. Integrations handle the
 * statuses they know better first; this is the common remainder.
 */
export function statusError(service: ServiceInfo, reply: Pick<outbound.Reply, 'status' | 'headers'>, detail = '', hint = ''): VegaError {
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

/** Wait `ms`, or stop early when the signal fires: TIMEOUT when it was the caller's deadline, else ABORTED. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    // Nothing to do but wait: the bound passing is the normal end.
    await withDeadline<void>(ms, () => new Promise<never>(() => {}), { signal, onLate: () => undefined });
  } catch (err) {
    const reason = (signal?.reason ?? err) as { name?: unknown };
    if (reason instanceof DeadlineError || reason.name === 'TimeoutError')
      throw new VegaError('TIMEOUT', 'Ran out of time while waiting to try again.');
    throw new VegaError('ABORTED', 'Stopped.');
  }
}
