import { memo, useEffect, useState } from 'react';
import type { LoadedModel } from '../../src-shared/chat.js';
import { bytes, duration } from './format.js';

/** Models the LLM server holds in memory, and when it will let them go. */
export const LoadedModels = memo(function LoadedModels({ models }: { models: readonly LoadedModel[] }) {
  // Its own clock: the countdown ticks without the snapshot feed re-rendering it.
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (models.length === 0) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [models.length]);

  return (
    <div className="card models-card wide" role="group" aria-labelledby="models-title">
      <div className="card-head">
        <h3 id="models-title">Loaded models</h3>
      </div>
      {models.length === 0 ? (
        <p className="muted small">No model is loaded right now; the first message loads one.</p>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col">Size</th>
              <th scope="col">In VRAM</th>
              <th scope="col">Unloads in</th>
            </tr>
          </thead>
          <tbody>
            {models.map((m) => {
              const left = m.expiresAt ? (Date.parse(m.expiresAt) - now) / 1000 : null;
              return (
                <tr key={m.name}>
                  <td className="mono">{m.name}</td>
                  <td>{bytes(m.size)}</td>
                  <td>
                    {bytes(m.sizeVram)}
                    {m.size > 0 && <span className="muted"> ({Math.round((m.sizeVram / m.size) * 100)}%)</span>}
                  </td>
                  <td>{left === null ? 'kept loaded' : left <= 0 ? 'now' : duration(left)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
});
