import { memo, useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import type { LogLine, LogQuery } from '../../src-shared/contract.js';
import { REQUEST_ID_PATTERN } from '../../src-shared/limits.js';
import { useApi } from '../api/context.js';
import { errorValue } from '../api/errors.js';
import { Icon } from '../app/Icon.js';
import { RequestId } from '../app/RequestId.js';
import { useToast } from '../app/Toasts.js';
import { clock } from '../dashboard/format.js';
import { fieldViews, logTime } from './format.js';

export const ALL_LEVELS = 'all';
/** The levels offered; a level shows its lines and the more severe ones (the host's filter is a minimum). */
export const LEVEL_CHOICES = [ALL_LEVELS, 'debug', 'info', 'warn', 'error'] as const;
export type LevelChoice = (typeof LEVEL_CHOICES)[number];
const LEVEL_LABELS: Record<LevelChoice, string> = { all: 'All', debug: 'Debug', info: 'Info', warn: 'Warn', error: 'Error' };

export interface LogFilter {
  readonly level: LevelChoice;
  /** '' for every request. */
  readonly requestId: string;
}

/** Lines asked for at a time (the host keeps at most 1000 per answer). */
export const LOG_LIMIT = 500;
/** Typing in the request-ID box applies after this pause (Enter applies at once). */
export const TYPING_DELAY_MS = 350;

export function logQuery(f: LogFilter, limit = LOG_LIMIT): LogQuery {
  return { limit, ...(f.level !== ALL_LEVELS ? { level: f.level } : {}), ...(f.requestId ? { requestId: f.requestId } : {}) };
}

interface Props {
  filter: LogFilter;
  onFilter: (f: LogFilter) => void;
  /** Opened by following a request id: take the focus, so the keyboard lands here too. */
  focusOnOpen?: boolean;
}

/**
 * The host's newest log lines (`vega.app.logs`), filtered by level and
 * request id; a request id in a line filters by it. Asked for when the view
 * opens, when the filter changes and on Refresh: nothing polls.
 */
export function LogsView({ filter, onFilter, focusOnOpen = false }: Props) {
  const api = useApi();
  const toast = useToast();
  const [lines, setLines] = useState<readonly LogLine[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [updatedAt, setUpdatedAt] = useState<number | null>(null);
  const [draft, setDraft] = useState(filter.requestId);
  const [exporting, setExporting] = useState(false);
  const seq = useRef(0);
  const heading = useRef<HTMLHeadingElement>(null);

  // A click-through elsewhere changes the filter: the box shows it (set while rendering, as React advises for a changed prop).
  const [draftFor, setDraftFor] = useState(filter.requestId);
  if (draftFor !== filter.requestId) {
    setDraftFor(filter.requestId);
    setDraft(filter.requestId);
  }

  useEffect(() => {
    if (focusOnOpen) heading.current?.focus();
  }, [focusOnOpen]);

  const load = useCallback(async () => {
    const mine = ++seq.current;
    setLoading(true);
    try {
      const result = await api.app.logs(logQuery(filter));
      // An older answer arriving after a newer one is dropped.
      if (mine !== seq.current) return;
      setLines(result);
      setError(null);
      setUpdatedAt(Date.now());
    } catch (err) {
      if (mine === seq.current) setError(errorValue(err).message);
    } finally {
      if (mine === seq.current) setLoading(false);
    }
  }, [api, filter]);

  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- loading on open and on a new filter: the load shows it is pending
    void load();
  }, [load]);
  useEffect(
    () => () => {
      seq.current++;
    },
    [],
  );

  const wanted = draft.trim();
  const invalid = wanted !== '' && !REQUEST_ID_PATTERN.test(wanted);

  // Typing applies after a pause.
  useEffect(() => {
    if (invalid || wanted === filter.requestId) return;
    const t = setTimeout(() => onFilter({ ...filter, requestId: wanted }), TYPING_DELAY_MS);
    return () => clearTimeout(t);
  }, [wanted, invalid, filter, onFilter]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (invalid) return;
    if (wanted === filter.requestId) void load();
    else onFilter({ ...filter, requestId: wanted });
  };

  const pickRequest = useCallback((requestId: string) => onFilter({ ...filter, requestId }), [filter, onFilter]);

  const exportDiagnostics = async () => {
    setExporting(true);
    try {
      const { path } = await api.app.exportDiagnostics();
      toast(`Diagnostics saved to ${path}`, 'success');
    } catch (err) {
      toast(errorValue(err).message, 'error');
    } finally {
      setExporting(false);
    }
  };

  const filtered = filter.level !== ALL_LEVELS || filter.requestId !== '';
  return (
    <section className="logs" aria-labelledby="logs-title" aria-busy={loading || undefined}>
      <div className="logs-toolbar">
        <div className="logs-title">
          <h2 id="logs-title" ref={heading} tabIndex={-1}>
            Logs
          </h2>
          <span className="muted small" aria-live="polite">
            {lines === null
              ? ''
              : `${lines.length === LOG_LIMIT ? `newest ${LOG_LIMIT}` : lines.length} line${lines.length === 1 ? '' : 's'}`}
            {updatedAt !== null && ` · updated ${clock(updatedAt)}`}
          </span>
        </div>
        <div className="logs-controls">
          <span className="field-inline">
            <label htmlFor="logs-level">Level</label>
            <select
              id="logs-level"
              value={filter.level}
              title="This level and the more severe ones"
              onChange={(e) => onFilter({ ...filter, level: e.target.value as LevelChoice })}
            >
              {LEVEL_CHOICES.map((l) => (
                <option key={l} value={l}>
                  {LEVEL_LABELS[l]}
                </option>
              ))}
            </select>
          </span>
          <form className="field-inline logs-request" role="search" aria-label="Filter by request ID" onSubmit={submit}>
            <label htmlFor="logs-request-id">Request ID</label>
            <input
              id="logs-request-id"
              type="text"
              className="mono"
              spellCheck={false}
              autoComplete="off"
              placeholder="any request"
              value={draft}
              aria-invalid={invalid || undefined}
              aria-describedby={invalid ? 'logs-request-id-error' : undefined}
              onChange={(e) => setDraft(e.target.value)}
            />
            {draft !== '' && (
              <button
                type="button"
                className="btn ghost small"
                aria-label="Clear request ID filter"
                onClick={() => {
                  setDraft('');
                  onFilter({ ...filter, requestId: '' });
                }}
              >
                Clear
              </button>
            )}
          </form>
          <button type="button" className="btn small" onClick={() => void load()} disabled={loading}>
            <Icon name="refresh" size={14} />
            Refresh
          </button>
          <button type="button" className="btn primary small" onClick={() => void exportDiagnostics()} disabled={exporting}>
            {exporting ? 'Exporting…' : 'Export diagnostics'}
          </button>
        </div>
      </div>
      {invalid && (
        <p id="logs-request-id-error" className="field-error">
          A request ID is up to 64 letters, digits, '.', '-' or '_'.
        </p>
      )}
      {error && (
        <p className="banner error" role="alert">
          {error}
        </p>
      )}
      <div className="card logs-card">
        {lines === null ? (
          <p className="loading">{error ? 'No log lines.' : 'Loading logs…'}</p>
        ) : lines.length === 0 ? (
          <p className="muted small logs-empty">{filtered ? 'No log line matches the filter.' : 'No log lines yet.'}</p>
        ) : (
          <LogTable lines={lines} onRequestId={pickRequest} />
        )}
      </div>
    </section>
  );
}

const LogTable = memo(function LogTable({ lines, onRequestId }: { lines: readonly LogLine[]; onRequestId: (id: string) => void }) {
  // eslint-disable-next-line react-hooks/purity -- ages are as of this render, and every load renders the table again
  const now = Date.now();
  return (
    <table className="table logs-table">
      <thead>
        <tr>
          <th scope="col" className="log-time">
            Time
          </th>
          <th scope="col" className="log-level-col">
            Level
          </th>
          <th scope="col">Message</th>
          <th scope="col" className="log-reqid">
            Request ID
          </th>
        </tr>
      </thead>
      <tbody>
        {lines.map((l, i) => (
          <LogRow key={`${l.time}-${i}`} line={l} now={now} onRequestId={onRequestId} />
        ))}
      </tbody>
    </table>
  );
});

function LogRow({ line: l, now, onRequestId }: { line: LogLine; now: number; onRequestId: (id: string) => void }) {
  const fields = fieldViews(l.fields);
  return (
    <tr className={`log-row level-${l.level}`}>
      <td className="mono log-time" title={new Date(l.time).toLocaleString()}>
        {logTime(l.time, now)}
      </td>
      <td>
        <span className={`log-level level-${l.level}`}>{l.level}</span>
      </td>
      <td className="log-body">
        <div className="log-msg">{l.msg || <span className="muted">(no message)</span>}</div>
        {fields.length > 0 && (
          <div className="log-fields mono">
            {fields.map((f) => (
              <span key={f.key} className="log-field" title={f.full}>
                <span className="log-key">{f.key}</span>={f.text}
              </span>
            ))}
          </div>
        )}
      </td>
      <td className="mono log-reqid">
        {l.requestId ? <RequestId id={l.requestId} onPick={onRequestId} action="Filter logs by request" /> : '–'}
      </td>
    </tr>
  );
}
