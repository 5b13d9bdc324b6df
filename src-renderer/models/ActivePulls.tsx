import { pullFinished } from '../../src-shared/models.js';
import { useApi } from '../api/context.js';
import { PullBar } from './PullBar.js';
import { usePulls } from './use-pulls.js';

/** The dashboard's view of model downloads: the running and waiting pulls, nothing once they are over. */
export function ActivePulls() {
  const api = useApi();
  const active = usePulls(api).filter((p) => !pullFinished(p.state));
  if (active.length === 0) return null;
  return (
    <div className="card pulls-card" role="group" aria-labelledby="pulls-title">
      <div className="card-head">
        <h3 id="pulls-title">Model pulls</h3>
      </div>
      {active.map((p) => (
        <PullBar key={p.name} pull={p} />
      ))}
    </div>
  );
}
