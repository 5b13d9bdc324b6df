import { request, type Dispatcher } from 'undici';
import { VegaError } from '../../src-shared/errors.js';
import { discard, errorField, readErrorText, transportError, type ServerContext } from './http-errors.js';

export interface GetJsonOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  readonly headers?: Record<string, string>;
  /** Map a non-2xx answer to an error; default PROVIDER_ERROR with the server's text. */
  readonly onStatus?: (status: number, errorText: string) => VegaError | undefined;
}

/**
 * A small GET for listings and probes, bounded as a whole by `timeoutMs`
 * (connect included), so a dead server cannot hold a dashboard call.
 */
export async function getJson(dispatcher: Dispatcher, url: URL, ctx: ServerContext, opts: GetJsonOptions): Promise<unknown> {
  const signal = opts.signal ? AbortSignal.any([opts.signal, AbortSignal.timeout(opts.timeoutMs)]) : AbortSignal.timeout(opts.timeoutMs);
  let res: Dispatcher.ResponseData | undefined;
  try {
    res = await request(url, { method: 'GET', dispatcher, signal, headers: { accept: 'application/json', ...opts.headers }, headersTimeout: opts.timeoutMs, bodyTimeout: opts.timeoutMs });
    if (res.statusCode < 200 || res.statusCode > 299) {
      const text = errorField(await readErrorText(res.body, ctx));
      throw opts.onStatus?.(res.statusCode, text) ?? new VegaError('PROVIDER_ERROR', `${ctx.name}: ${text} (HTTP ${res.statusCode})`);
    }
    const text = await res.body.text();
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw new VegaError('PROVIDER_ERROR', `${ctx.name} at ${ctx.url} answered with something that is not JSON — is that the right address?`, { cause: err });
    }
  } catch (err) {
    if (signal.aborted && !opts.signal?.aborted) throw new VegaError('TIMEOUT', `${ctx.name} at ${ctx.url} did not answer within ${opts.timeoutMs / 1000} s.`, { cause: err });
    throw transportError(err, ctx, { headers: res !== undefined, tokens: false });
  } finally {
    if (res) discard(res.body);
  }
}
