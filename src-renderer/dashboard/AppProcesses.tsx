import { memo, useId } from 'react';
import type { AppProcess } from '../../src-shared/resources.js';
import { bytes } from './format.js';

/** Every process of the desktop app (Electron only): what each one costs now. */
export const AppProcesses = memo(function AppProcesses({ processes }: { processes: readonly AppProcess[] }) {
  const id = useId();
  const total = processes.reduce((n, p) => n + p.memory, 0);
  return (
    <div className="card wide" role="group" aria-labelledby={id}>
      <div className="card-head">
        <h3 id={id}>App processes</h3>
        <span className="muted small">
          {processes.length} processes · {bytes(total)}
        </span>
      </div>
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Type</th>
            <th scope="col">PID</th>
            <th scope="col">CPU</th>
            <th scope="col">Memory</th>
          </tr>
        </thead>
        <tbody>
          {processes.map((p) => (
            <tr key={p.pid}>
              <td>{p.type}</td>
              <td className="mono">{p.pid}</td>
              <td>{p.cpuPercent.toFixed(1)} %</td>
              <td>{bytes(p.memory)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
});
