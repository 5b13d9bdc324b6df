import { pullFinished, pullPercent, type PullProgress } from '../../src-shared/models.js';
import { bytes, duration } from '../dashboard/format.js';

interface Props {
  pull: PullProgress;
  onCancel?: (name: string) => void;
  /** Pull again: after a cancel it resumes from what Ollama kept. */
  onRetry?: (name: string) => void;
  /** The per-layer lines (the Models view shows them; small cards do not). */
  layers?: boolean;
}

const STATE_LABEL: Record<PullProgress['state'], string> = {
  queued: 'Waiting',
  pulling: 'Downloading',
  verifying: 'Verifying',
  done: 'Installed',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

function figures(p: PullProgress, percent: number): string {
  if (p.state === 'queued') return 'Waits for the pull before it.';
  if (p.total <= 0) return p.status;
  const parts = [`${bytes(p.completed)} of ${bytes(p.total)}`, `${percent.toFixed(percent < 10 ? 1 : 0)} %`];
  if (p.bytesPerSecond) parts.push(`${bytes(p.bytesPerSecond)}/s`);
  if (p.secondsLeft !== null) parts.push(`${duration(p.secondsLeft)} left`);
  return parts.join(' · ');
}

/** One pull: its bar with bytes, percent, speed and time left, and Cancel or Resume. */
export function PullBar({ pull: p, onCancel, onRetry, layers }: Props) {
  const percent = pullPercent(p);
  const finished = pullFinished(p.state);
  return (
    <div className="pull" data-state={p.state}>
      <div className="pull-head">
        <span className="mono pull-name">{p.name}</span>
        <span className={`badge pull-state ${p.state}`}>{STATE_LABEL[p.state]}</span>
        <span className="pull-actions">
          {!finished && onCancel && (
            <button type="button" className="btn ghost small" onClick={() => onCancel(p.name)} aria-label={`Cancel pulling ${p.name}`}>
              Cancel
            </button>
          )}
          {(p.state === 'cancelled' || p.state === 'failed') && onRetry && (
            <button
              type="button"
              className="btn small"
              onClick={() => onRetry(p.name)}
              aria-label={`${p.state === 'cancelled' ? 'Resume' : 'Try again'} pulling ${p.name}`}
            >
              {p.state === 'cancelled' ? 'Resume' : 'Try again'}
            </button>
          )}
        </span>
      </div>
      <div
        className="pull-bar"
        role="progressbar"
        aria-label={`Pulling ${p.name}`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(percent)}
        aria-valuetext={`${STATE_LABEL[p.state]}: ${Math.round(percent)} %`}
      >
        <div className="pull-fill" style={{ width: `${percent}%` }} />
      </div>
      <p className="pull-figures muted small">{figures(p, percent)}</p>
      {p.error && (
        <p className="pull-error small" role="alert">
          {p.error.message}
        </p>
      )}
      {layers && p.layers.length > 1 && !finished && (
        <details className="pull-layers small">
          <summary>{p.layers.length} layers</summary>
          <ul>
            {p.layers.map((l) => (
              <li key={l.digest}>
                <span className="mono">{l.digest.slice(7, 19)}</span> {bytes(l.completed)} of {bytes(l.total)}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
