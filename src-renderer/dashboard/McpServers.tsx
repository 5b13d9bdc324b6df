import { Fragment, memo, useState } from 'react';
import type { McpServerState, McpSnapshot } from '../../src-shared/mcp.js';
import { useApi } from '../api/context.js';
import { errorValue } from '../api/errors.js';
import { useToast } from '../app/Toasts.js';
import { bytes, integer, millis } from './format.js';

// Keyed by McpServerState, so a new state fails the type check until it has a tone here.
const TONE: Record<McpServerState, 'good' | 'warn' | 'bad' | 'muted'> = {
  ready: 'good',
  starting: 'warn',
  restarting: 'warn',
  failed: 'bad',
  disabled: 'muted',
};

const TRANSPORT = { stdio: 'stdio', http: 'Streamable HTTP', sse: 'SSE' } as const;

/**
 * The MCP servers, from each dashboard tick: state, transport, the process
 * (pid, memory and CPU of its whole tree), tools, calls, median latency,
 * and the last error with its fix. Restart stops the server and starts it
 * again at once (after mcp.json is read again, so a hand edit applies).
 */
export const McpServers = memo(function McpServers({ mcp }: { mcp: McpSnapshot }) {
  const api = useApi();
  const toast = useToast();
  const [busy, setBusy] = useState<string | null>(null);

  const restart = async (name: string) => {
    setBusy(name);
    try {
      await api.mcp.restart({ name });
      toast(`Restarting ${name}`, 'success');
    } catch (err) {
      toast(errorValue(err).message, 'error');
    } finally {
      setBusy(null);
    }
  };

  const ready = mcp.servers.filter((s) => s.state === 'ready').length;
  return (
    <div className="card wide mcp-card" role="group" aria-labelledby="mcp-title">
      <div className="card-head">
        <h3 id="mcp-title">MCP servers</h3>
        <span className="muted small">
          {ready} of {mcp.servers.length} ready
        </span>
      </div>
      {mcp.configError && (
        <p className="banner error" role="alert">
          {mcp.configError}
        </p>
      )}
      {mcp.servers.length === 0 ? (
        <p className="muted small">No MCP servers are configured. Add one in Settings → MCP servers.</p>
      ) : (
        <div className="table-scroll">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Server</th>
                <th scope="col">State</th>
                <th scope="col">Transport</th>
                <th scope="col">PID</th>
                <th scope="col">Memory</th>
                <th scope="col">CPU</th>
                <th scope="col">Tools</th>
                <th scope="col">Calls</th>
                <th scope="col">p50</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {mcp.servers.map((s) => (
                <Fragment key={s.name}>
                  <tr>
                    <td className="mono">{s.name}</td>
                    <td>
                      <span className={`status-pill ${TONE[s.state]}`}>{s.state}</span>
                    </td>
                    <td>{TRANSPORT[s.transport]}</td>
                    <td className="mono">{s.pid ?? '–'}</td>
                    <td>
                      {s.memoryBytes === null ? '–' : bytes(s.memoryBytes)}
                      {s.processes > 1 && <span className="muted"> ({s.processes} processes)</span>}
                    </td>
                    <td>{s.cpuPercent === null ? '–' : `${s.cpuPercent.toFixed(1)} %`}</td>
                    <td>{s.tools}</td>
                    <td>
                      {integer(s.calls)}
                      {s.failures > 0 && <span className="muted"> ({integer(s.failures)} failed)</span>}
                    </td>
                    <td>{s.calls ? millis(s.p50Ms) : '–'}</td>
                    <td>
                      <button
                        type="button"
                        className="btn small"
                        disabled={s.state === 'disabled' || busy === s.name}
                        aria-label={`Restart ${s.name}`}
                        onClick={() => void restart(s.name)}
                      >
                        Restart
                      </button>
                    </td>
                  </tr>
                  {s.lastError && (
                    <tr className="mcp-error-row">
                      <td colSpan={10}>
                        <span className="mcp-error">{s.lastError}</span>
                        {s.fix && <span className="mcp-fix"> {s.fix}</span>}
                        {s.restarts > 0 && <span className="muted"> Restarted {s.restarts}× since Vega started.</span>}
                      </td>
                    </tr>
                  )}
                </Fragment>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
});
