import { fetch as undiciFetch, type Dispatcher } from 'undici';
import { transportError, type Peer } from './errors.js';

/** The WHATWG fetch signature SDKs take (the MCP SDK's FetchLike). */
export type BoundFetch = (url: string | URL, init?: RequestInit) => Promise<Response>;

export interface BoundFetchOptions {
  /**
   * undici's body timeout for this fetch's requests, ms; 0 turns it off.
   * A server-sent-events stream may stay quiet for longer than the pool's
   * timeout; the caller then bounds each exchange itself.
   */
  readonly bodyTimeoutMs?: number;
}

/**
 * A fetch on the engine's pooled dispatcher, for a library that makes its own
 * requests (the MCP SDK): its origins show on the dashboard like any other,
 * and no second pool is created. The dispatcher is asked for per request, so
 * a fetch after the pool closed fails as SHUTTING_DOWN. Transport failures
 * become the sentence `transportError` makes for `peer`.
 */
export function boundFetch(dispatcher: () => Dispatcher, peer: Peer, opts: BoundFetchOptions = {}): BoundFetch {
  const { bodyTimeoutMs } = opts;
  const timeouts: Dispatcher.DispatcherComposeInterceptor | undefined =
    bodyTimeoutMs === undefined ? undefined : (dispatch) => (o, handler) => dispatch({ ...o, bodyTimeout: bodyTimeoutMs }, handler);
  return async (url, init) => {
    try {
      const base = dispatcher();
      const options = { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher: timeouts ? base.compose(timeouts) : base };
      return await undiciFetch(url, options);
    } catch (err) {
      throw transportError(err, peer, 'request', init?.signal ?? undefined);
    }
  };
}
