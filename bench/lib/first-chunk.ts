import type { Pool } from 'undici';
import { nowMs } from './stats.js';

/**
 * A streamed POST, read to its end: ms from sending to the response's
 * headers and to the first chunk of its body (the first token of an
 * answer), and the body's text. A status other than 200 throws.
 */
export async function firstChunk(
  pool: Pool,
  path: string,
  headers: Record<string, string>,
  body: unknown,
): Promise<{ headersMs: number; ms: number; text: string }> {
  const t0 = nowMs();
  const res = await pool.request({
    path,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const headersMs = nowMs() - t0;
  let ms = NaN;
  let text = '';
  for await (const chunk of res.body) {
    if (Number.isNaN(ms)) ms = nowMs() - t0;
    text += (chunk as Buffer).toString('utf8');
  }
  if (res.statusCode !== 200) throw new Error(`${path}: HTTP ${res.statusCode} ${text.slice(0, 200)}`);
  return { headersMs, ms, text };
}
