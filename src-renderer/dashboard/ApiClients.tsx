import { memo } from 'react';
import type { ApiClientStats } from '../../src-shared/resources.js';
import { integer, millis } from './format.js';

/** Other apps' calls to Vega's OpenAI-compatible API (/v1), by client (from its User-Agent): calls, tokens, time to first token. */
export const ApiClients = memo(function ApiClients({ clients }: { clients: readonly ApiClientStats[] }) {
  return (
    <div className="card wide" role="group" aria-labelledby="api-clients-title">
      <div className="card-head">
        <h3 id="api-clients-title">API clients</h3>
        <span className="muted small">OpenAI-compatible API (/v1)</span>
      </div>
      <div className="table-scroll">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Client</th>
              <th scope="col">Calls</th>
              <th scope="col">Prompt tokens</th>
              <th scope="col">Answer tokens</th>
              <th scope="col">First token p50</th>
              <th scope="col">p95</th>
            </tr>
          </thead>
          <tbody>
            {clients.map((c) => (
              <tr key={c.client}>
                <td className="mono">{c.client}</td>
                <td>
                  {integer(c.calls)}
                  {c.failed > 0 && <span className="muted"> ({integer(c.failed)} failed)</span>}
                </td>
                <td>{integer(c.promptTokens)}</td>
                <td>{integer(c.completionTokens)}</td>
                <td>{c.ttftMs.p50 ? millis(c.ttftMs.p50) : '–'}</td>
                <td>{c.ttftMs.p95 ? millis(c.ttftMs.p95) : '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
});
