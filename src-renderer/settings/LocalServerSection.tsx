import { useEffect, useState } from 'react';
import type { AppInfo, ConfigEntry } from '../../src-shared/contract.js';
import { useApi } from '../api/context.js';
import { CopyButton } from '../app/CopyButton.js';

const PORT_KEY = 'VEGA_LOCAL_SERVER_PORT';

/**
 * Where other apps reach Vega's OpenAI-compatible API, with a button to copy
 * it. The desktop app serves it on its Local server port (off until one is
 * set); the web host serves it beside the window, at this page's own address.
 */
export function LocalServerSection({ entries, pending }: { entries: readonly ConfigEntry[]; pending: boolean }) {
  const api = useApi();
  const [host, setHost] = useState<AppInfo['host'] | null>(null);
  useEffect(() => {
    let live = true;
    api.app.info().then(
      (info) => live && setHost(info.host),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [api]);
  if (!host) return null;

  const port = entries.find((e) => e.key === PORT_KEY)?.value ?? '';
  const keySet = entries.find((e) => e.key === 'VEGA_API_KEY')?.set ?? false;
  const address = host === 'web' ? `${window.location.origin}/v1` : port ? `http://127.0.0.1:${port}/v1` : null;
  return (
    <section className="card settings-group" aria-labelledby="local-server-title">
      <h3 id="local-server-title">Local server</h3>
      {address ? (
        <>
          <p className="muted small">
            Other apps (editors, scripts, assistants) use Vega as an OpenAI-compatible server at this base URL, with VEGA_API_KEY as their
            API key
            {pending ? ' — after Vega restarts' : ''}:
          </p>
          <div className="row">
            <code className="mono" data-testid="local-server-address">
              {address}
            </code>
            <CopyButton text={() => address} className="btn small" label="Copy address" />
          </div>
          {!keySet && (
            <p className="banner warn small" role="status">
              Set VEGA_API_KEY below: it is the key other apps send, and without it the local server stays off.
            </p>
          )}
        </>
      ) : (
        <p className="muted small">
          Off. Set {PORT_KEY} below (a port such as 1234) and restart Vega to let other apps use its OpenAI-compatible API on this computer.
        </p>
      )}
    </section>
  );
}
