import { memo } from 'react';
import { clock, shortOrigin } from './format.js';
import { ALL_ORIGINS } from './series.js';

export const WINDOWS = [1, 5, 15, 60] as const;
export type WindowMinutes = (typeof WINDOWS)[number];

interface Props {
  windowMin: WindowMinutes;
  onWindow: (w: WindowMinutes) => void;
  origins: readonly string[];
  origin: string;
  onOrigin: (o: string) => void;
  lastT: number | null;
}

/** Title, live marker, time window and origin filter. */
export const DashboardToolbar = memo(function DashboardToolbar({ windowMin, onWindow, origins, origin, onOrigin, lastT }: Props) {
  return (
    <div className="dash-toolbar">
      <div className="dash-title">
        <h2>Resource dashboard</h2>
        <span className={`live${lastT ? ' on' : ''}`}>
          <span className="live-dot" aria-hidden="true" />
          {lastT ? `Live · ${clock(lastT)}` : 'Waiting'}
        </span>
      </div>
      <div className="dash-controls">
        <label className="field-inline">
          <span>Origin</span>
          <select value={origin} onChange={(e) => onOrigin(e.target.value)}>
            <option value={ALL_ORIGINS}>All origins</option>
            {origins.map((o) => (
              <option key={o} value={o}>
                {shortOrigin(o)}
              </option>
            ))}
          </select>
        </label>
        <fieldset className="segmented">
          <legend className="sr-only">Time window</legend>
          {WINDOWS.map((w) => (
            <label key={w} className={w === windowMin ? 'checked' : undefined}>
              <input type="radio" name="dash-window" value={w} checked={w === windowMin} onChange={() => onWindow(w)} />
              {w} min
            </label>
          ))}
        </fieldset>
      </div>
    </div>
  );
});
