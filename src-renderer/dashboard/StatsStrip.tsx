import { memo } from 'react';
import type { ResourceSnapshot } from '../../src-shared/resources.js';
import { duration, integer, millis } from './format.js';

function Stat({
  label,
  value,
  note,
  tone,
  testId,
}: {
  label: string;
  value: string;
  note?: string | undefined;
  tone?: 'good' | 'bad' | undefined;
  testId?: string;
}) {
  return (
    <div className={`stat${tone ? ` ${tone}` : ''}`} data-testid={testId}>
      <span className="stat-value">{value}</span>
      <span className="stat-label">{label}</span>
      {note && <span className="stat-note">{note}</span>}
    </div>
  );
}

/** The headline numbers of the latest snapshot. */
export const StatsStrip = memo(function StatsStrip({ s }: { s: ResourceSnapshot }) {
  const m = s.manager;
  return (
    <div className="stats-strip" role="group" aria-label="Totals">
      <Stat
        label="http_clients_created"
        value={String(m.httpClientsCreated)}
        note={m.httpClientsCreated === 1 ? 'one pooled client' : 'expected exactly 1'}
        tone={m.httpClientsCreated === 1 ? 'good' : 'bad'}
        testId="stat-http-clients"
      />
      <Stat
        label="Requests made"
        value={integer(m.httpRequestsMade)}
        note={m.httpRequestsFailed ? `${integer(m.httpRequestsFailed)} failed` : undefined}
        testId="stat-requests"
      />
      <Stat label="Uptime" value={duration(m.uptimeSeconds)} />
      <Stat label="Cleanup tasks" value={String(m.cleanupTasksRegistered)} />
      <Stat label="LLM turns" value={integer(s.llm.turns)} note={s.llm.failed ? `${integer(s.llm.failed)} failed` : undefined} />
      <Stat label="Time to first token (p50)" value={s.llm.turns ? millis(s.llm.ttftMs.p50) : '–'} />
      <Stat label="Tokens per second" value={s.llm.lastTokensPerSecond ? s.llm.lastTokensPerSecond.toFixed(1) : '–'} />
    </div>
  );
});
