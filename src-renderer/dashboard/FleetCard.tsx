import { memo } from 'react';
import type { EndpointState, EndpointStats } from '../../src-shared/resources.js';
import { integer, millis } from './format.js';

const STATE: Record<EndpointState, { label: string; tone: string }> = {
  up: { label: 'up', tone: 'good' },
  degraded: { label: 'degraded', tone: 'warn' },
  down: { label: 'down', tone: 'bad' },
  'breaker-open': { label: 'breaker open', tone: 'bad' },
};

/**
 * The model servers behind one provider (OLLAMA_HOST or OPENAI_BASE_URL with
 * several): each one's state, what it holds and has loaded, how busy and how
 * fast it is, and its share of the turns. Each server's pool has its own
 * line in the per-origin charts above.
 */
export const FleetCard = memo(function FleetCard({ endpoints }: { endpoints: readonly EndpointStats[] }) {
  return (
    <div className="card wide" role="group" aria-labelledby="fleet-title">
      <div className="card-head">
        <h3 id="fleet-title">Fleet</h3>
        <span className="muted small">{endpoints.length} model servers, routed per turn</span>
      </div>
      <div className="table-scroll">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Server</th>
              <th scope="col">State</th>
              <th scope="col">Models</th>
              <th scope="col">Loaded</th>
              <th scope="col">Running</th>
              <th scope="col">First token p50</th>
              <th scope="col">Tokens/s</th>
              <th scope="col">Errors</th>
              <th scope="col">Share of turns</th>
            </tr>
          </thead>
          <tbody>
            {endpoints.map((e) => (
              <tr key={`${e.provider} ${e.url}`} data-testid="fleet-row">
                <td className="mono">
                  {e.url}
                  {e.weight !== 1 && <span className="muted"> ×{e.weight}</span>}
                </td>
                <td>
                  <span className={`badge fleet-state-${STATE[e.state].tone}`} title={e.lastError ?? undefined}>
                    {STATE[e.state].label}
                  </span>
                </td>
                <td title={e.models.join(', ')}>{integer(e.models.length)}</td>
                <td className="mono">{e.loadedModels.join(', ') || '–'}</td>
                <td>{integer(e.running)}</td>
                <td>{e.ttftP50Ms === null ? '–' : millis(e.ttftP50Ms)}</td>
                <td>{e.tokensPerSecond === null ? '–' : e.tokensPerSecond.toFixed(1)}</td>
                <td>{integer(e.errors)}</td>
                <td>
                  {Math.round(e.share * 100)}% <span className="muted">({integer(e.turns)})</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
});
