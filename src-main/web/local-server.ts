import type { VegaApp } from '../app/create-app.js';
import { startWebHost, type WebHost } from './host.js';

const LOOPBACK = '127.0.0.1';

/**
 * The desktop's "Local server" (VEGA_LOCAL_SERVER_PORT, off when unset): the
 * web host's OpenAI-compatible routes, alone, on a loopback port, for editors
 * and scripts on this machine. It needs VEGA_API_KEY, the key those apps
 * send; without one it stays off and says so. A port in use is logged, not fatal.
 */
export async function startConfiguredLocalServer(app: VegaApp): Promise<WebHost | null> {
  const { rm } = app;
  const cfg = await rm.config.get();
  if (!cfg.has('VEGA_LOCAL_SERVER_PORT')) return null;
  if (!cfg.string('VEGA_API_KEY')) {
    rm.logger.warn('VEGA_LOCAL_SERVER_PORT is set but VEGA_API_KEY is not: the local server stays off (other apps need a key to send).');
    return null;
  }
  try {
    const host = await startWebHost({ app, host: LOOPBACK, port: cfg.int('VEGA_LOCAL_SERVER_PORT'), openaiOnly: true });
    rm.logger.info({ url: `${host.url}/v1` }, 'Local server (OpenAI-compatible API) listening');
    return host;
  } catch (err) {
    rm.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'The local server could not start (VEGA_LOCAL_SERVER_PORT)');
    return null;
  }
}
