import { VegaError } from '../../../src-shared/errors.js';
import { DeadlineError } from '../deadline.js';

/** What a message about a failed call names: who, where, which wait applied, and the fix. */
export interface Peer {
  /** The subject of the sentence: "Ollama", "GitHub", a page's host. */
  readonly name: string;
  /** Where, as the person would recognise it (no query, no credentials). */
  readonly url: string;
  /** The wait that applied (undici's headers and body timeouts), and the setting that sets it. */
  readonly timeoutS: number;
  readonly timeoutKey: string;
  /** The fix when nothing answers at `url`: "start it with 'ollama serve'". */
  readonly startHint?: string;
  /** Why a first answer may be slow, said when it is: "a model still loading?". */
  readonly slowStart?: string;
}

/**
 * How far an exchange got: nothing back yet; headers in; a body being read
 * whole; a streamed answer whose first parts were already passed on (and
 * are kept when the rest fails).
 */
export type Phase = 'request' | 'headers' | 'body' | 'stream';

/** Refused, unresolvable or unroutable: nothing listens there. */
const REFUSED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

/**
 * Something answered the connection and then dropped it (a restart, a
 * proxy). UND_ERR_REQ_RETRY is the retry interceptor giving up on a body cut
 * after its headers, which it cannot resume.
 */
const DROPPED = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_REQ_RETRY']);

/**
 * The first error code on the error, down its `cause` chain, or among an
 * AggregateError's errors (a host with several addresses, each refused).
 */
export function errorCode(err: unknown, depth = 0): string | undefined {
  if (typeof err !== 'object' || err === null || depth > 4) return undefined;
  const e = err as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string') return e.code;
  for (const inner of [e.cause, ...(Array.isArray(e.errors) ? (e.errors as unknown[]) : [])]) {
    const code = errorCode(inner, depth + 1);
    if (code) return code;
  }
  return undefined;
}

function isAbort(err: unknown): boolean {
  const name = (err as { name?: unknown } | null)?.name;
  return name === 'AbortError' || errorCode(err) === 'UND_ERR_ABORTED' || (err instanceof VegaError && err.code === 'ABORTED');
}

/**
 * A transport failure as the sentence a person can act on; VegaErrors pass
 * through. `signal` is the call's own: when it fired, its reason (a deadline,
 * or a stop) says what happened, whatever undici threw on the way out.
 */
export function transportError(err: unknown, peer: Peer, phase: Phase, signal?: AbortSignal): VegaError {
  if (err instanceof VegaError) return err;
  const why = signal?.aborted ? (signal.reason as unknown) : err;
  if (why instanceof DeadlineError)
    return new VegaError('TIMEOUT', `${peer.name} at ${peer.url} did not finish answering within ${why.ms / 1000} s.`, { cause: err });
  if ((why as { name?: unknown } | null)?.name === 'TimeoutError')
    return new VegaError('TIMEOUT', `${peer.name} at ${peer.url} did not finish answering in time.`, { cause: err });
  if (signal?.aborted || isAbort(err)) return new VegaError('ABORTED', 'Stopped.', { cause: err });

  const code = errorCode(err);
  const raise = `raise ${peer.timeoutKey} (now ${peer.timeoutS} s) if it is just slow`;
  const started = phase === 'body' || phase === 'stream';
  if (code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new VegaError(
      'TIMEOUT',
      `${peer.name} at ${peer.url} did not accept a connection in time — check that the address is right and the server is up.`,
      { cause: err },
    );
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || (code === 'UND_ERR_BODY_TIMEOUT' && !started)) {
    const slow = peer.slowStart ? ` (${peer.slowStart})` : '';
    return new VegaError('TIMEOUT', `${peer.name} did not start answering within ${peer.timeoutS} s${slow} — ${raise}.`, { cause: err });
  }
  if (code === 'UND_ERR_BODY_TIMEOUT')
    return new VegaError('TIMEOUT', `${peer.name} stopped sending its answer for ${peer.timeoutS} s — ${raise}.`, { cause: err });
  if (code && (REFUSED.has(code) || DROPPED.has(code))) {
    if (phase === 'stream')
      return new VegaError(
        'PROVIDER_ERROR',
        `${peer.name} closed the connection in the middle of the answer — check its log; the part received is kept.`,
        { cause: err },
      );
    if (phase !== 'request')
      return new VegaError('PROVIDER_ERROR', `${peer.name} closed the connection in the middle of the answer — try again.`, { cause: err });
    if (REFUSED.has(code))
      return new VegaError(
        'PROVIDER_UNREACHABLE',
        `${peer.name} is not reachable at ${peer.url}${peer.startHint ? ` — ${peer.startHint}` : '.'}`,
        { cause: err },
      );
    const persist = peer.startHint ? `; if it keeps happening, ${peer.startHint}` : '.';
    return new VegaError(
      'PROVIDER_UNREACHABLE',
      `${peer.name} at ${peer.url} closed the connection before answering — try again${persist}`,
      { cause: err },
    );
  }
  if (code && /CERT|TLS|SSL|SELF_SIGNED/.test(code))
    return new VegaError('PROVIDER_ERROR', `${peer.name}'s certificate at ${peer.url} was not accepted (${code}).`, { cause: err });
  return new VegaError('PROVIDER_ERROR', `${peer.name} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}
