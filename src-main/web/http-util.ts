import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorCode } from '../../src-shared/errors.js';

export const MAX_BODY_BYTES = 1024 * 1024;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The key a request presents: `X-API-Key`, or `Authorization: Bearer KEY`
 * (what a Prometheus scrape config sends).
 */
export function presentedKey(req: IncomingMessage): string | undefined {
  const key = req.headers['x-api-key'];
  if (key !== undefined) return Array.isArray(key) ? key[0] : key;
  const auth = /^Bearer +(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return auth?.[1];
}

/** A signal that fires when the client goes away before the answer is complete: what it was waiting for can stop. */
export function hangupSignal(res: ServerResponse): AbortSignal {
  const hangup = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) hangup.abort();
  });
  return hangup.signal;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

export function sendError(res: ServerResponse, status: number, code: ErrorCode, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, status, { error: { code, message } });
}

/** Read a JSON body, refusing more than 1 MiB (before reading it all) and anything but an object. */
export async function readJsonBody(
  req: IncomingMessage,
  limit: { bytes: number; text: string } = { bytes: MAX_BODY_BYTES, text: `${MAX_BODY_BYTES} bytes` },
): Promise<Record<string, unknown>> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit.bytes) throw new HttpError(413, 'PAYLOAD_TOO_LARGE', `The body is larger than ${limit.text}.`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit.bytes) throw new HttpError(413, 'PAYLOAD_TOO_LARGE', `The body is larger than ${limit.text}.`);
    chunks.push(chunk);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new HttpError(400, 'BAD_REQUEST', 'The body is not valid UTF-8.');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'BAD_REQUEST', 'The body is not valid JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new HttpError(400, 'BAD_REQUEST', 'The body must be a JSON object.');
  return value as Record<string, unknown>;
}
