import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import { VegaError } from '../../../src-shared/errors.js';

export type Body = Dispatcher.ResponseData['body'];

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Read a body up to `max` bytes; past it, stop reading (the socket is dropped) and say so. */
export async function readCapped(body: Body, headers: IncomingHttpHeaders, max: number, what: string): Promise<Buffer> {
  const tooLarge = (): VegaError =>
    new VegaError('PAYLOAD_TOO_LARGE', `${what} sent more than ${formatBytes(max)}; Vega stopped reading it.`);
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

const ERROR_BODY_LIMIT = 64 * 1024;

/**
 * Read an error response's body (bounded) and always consume it, so the
 * socket is released. The text becomes part of an error a person sees, so
 * known secrets are taken out of it here, where it enters Vega: a server may
 * quote the key it refused ("Incorrect API key provided: sk-…").
 */
export async function readErrorText(body: Body, redact: (text: string) => string): Promise<string> {
  let text = '';
  try {
    for await (const chunk of body) {
      if (text.length < ERROR_BODY_LIMIT) text += (chunk as Buffer).toString('utf8');
    }
  } catch {
    // A body that fails while we read an error page adds nothing to the error.
  }
  return redact(text.slice(0, ERROR_BODY_LIMIT));
}

/**
 * What an error body says: its `error` (a string, or `{message}` as OpenAI
 * sends it) or `message` field, else the text itself, cut; '' when empty.
 */
export function errorField(text: string): string {
  try {
    const v = JSON.parse(text) as { error?: unknown; message?: unknown };
    if (typeof v.error === 'string') return v.error;
    if (v.error && typeof v.error === 'object' && typeof (v.error as { message?: unknown }).message === 'string')
      return (v.error as { message: string }).message;
    if (typeof v.message === 'string') return v.message;
  } catch {
    // not JSON: the text itself is the best we have
  }
  return text.trim().slice(0, 500);
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

function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}
