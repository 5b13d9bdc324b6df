import type { Dispatcher } from 'undici';
import { VegaError } from '../../src-shared/errors.js';

/** What an error message needs to name the server and the fix. */
export interface ServerContext {
  /** "Ollama", "The OpenAI-compatible server". */
  readonly name: string;
  readonly url: string;
  /** How to bring the server up, appended to "not reachable". */
  readonly startHint: string;
  readonly timeoutS: number;
  readonly timeoutKey: string;
  /** Replaces known secrets: a server may quote the key it refused ("Incorrect API key provided: sk-…"). */
  readonly redact: (text: string) => string;
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_REQ_RETRY']);

/** The connection was made and then dropped, as opposed to refused. */
const DROPPED = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_REQ_RETRY']);

export function errorCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown }; errors?: { code?: unknown }[] } | null;
  const code = e?.code ?? e?.cause?.code ?? e?.errors?.[0]?.code;
  return typeof code === 'string' ? code : undefined;
}

export function isAbort(err: unknown): boolean {
  const name = (err as { name?: unknown } | null)?.name;
  return name === 'AbortError' || errorCode(err) === 'UND_ERR_ABORTED' || (err instanceof VegaError && err.code === 'ABORTED');
}

/**
 * Turn a transport failure into the message a person can act on. `streaming`
 * says whether the answer had started: a dropped connection then is the
 * server failing mid-answer, not a server that is down.
 */
export function transportError(err: unknown, ctx: ServerContext, phase: { headers: boolean; tokens: boolean }): VegaError {
  if (err instanceof VegaError) return err;
  if (isAbort(err)) return new VegaError('ABORTED', 'Stopped.', { cause: err });
  const code = errorCode(err);
  const raise = `raise ${ctx.timeoutKey} (now ${ctx.timeoutS} s) if the model is just slow`;
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return new VegaError('TIMEOUT', `${ctx.name} at ${ctx.url} did not accept a connection in time — check that the address is right and the server is up.`, { cause: err });
    case 'UND_ERR_HEADERS_TIMEOUT':
      return new VegaError('TIMEOUT', `${ctx.name} did not start answering within ${ctx.timeoutS} s (a model still loading?) — ${raise}.`, { cause: err });
    case 'UND_ERR_BODY_TIMEOUT':
      return phase.tokens
        ? new VegaError('TIMEOUT', `${ctx.name} stopped sending tokens for ${ctx.timeoutS} s — ${raise}.`, { cause: err })
        : new VegaError('TIMEOUT', `${ctx.name} sent no first token within ${ctx.timeoutS} s (a model still loading?) — ${raise}.`, { cause: err });
    default:
      break;
  }
  if (code && UNREACHABLE.has(code)) {
    if (phase.headers) return new VegaError('PROVIDER_ERROR', `${ctx.name} closed the connection in the middle of the answer — check its log; the part received is kept.`, { cause: err });
    // Refused or unresolvable: nothing listens there. A reset or closed
    // socket means something answered and hung up (a restart, a proxy).
    if (!DROPPED.has(code)) return new VegaError('PROVIDER_UNREACHABLE', `${ctx.name} is not reachable at ${ctx.url} — ${ctx.startHint}`, { cause: err });
    return new VegaError('PROVIDER_UNREACHABLE', `${ctx.name} at ${ctx.url} closed the connection before answering — send again; if it keeps happening, ${ctx.startHint}`, { cause: err });
  }
  return new VegaError('PROVIDER_ERROR', `${ctx.name} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}

const ERROR_BODY_LIMIT = 64 * 1024;

/**
 * Read an error response's body (bounded) and always consume it, so the
 * socket is released. The text becomes part of an error a person sees, so
 * known secrets are taken out of it here, where it enters Vega.
 */
export async function readErrorText(body: Dispatcher.ResponseData['body'], ctx: Pick<ServerContext, 'redact'>): Promise<string> {
  let text = '';
  try {
    for await (const chunk of body) {
      if (text.length < ERROR_BODY_LIMIT) text += (chunk as Buffer).toString('utf8');
    }
  } catch {
    // A body that fails while we read an error page adds nothing to the error.
  }
  return ctx.redact(text.slice(0, ERROR_BODY_LIMIT));
}

/** The `error` field of an error body: a string (Ollama) or `{message}` (OpenAI). */
export function errorField(text: string): string {
  try {
    const v = JSON.parse(text) as { error?: unknown; message?: unknown };
    if (typeof v.error === 'string') return v.error;
    if (v.error && typeof v.error === 'object' && typeof (v.error as { message?: unknown }).message === 'string') return (v.error as { message: string }).message;
    if (typeof v.message === 'string') return v.message;
  } catch {
    // not JSON: the text itself is the best we have
  }
  return text.trim().slice(0, 500) || 'no details given';
}

/** Make sure a body is never left unread: an unread body whose socket closes crashes undici 7 (#5360). */
export function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => {});
  if (!body.destroyed && !body.readableEnded) body.destroy();
}
