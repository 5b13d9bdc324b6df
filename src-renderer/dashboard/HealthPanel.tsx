import { memo } from 'react';
import type { ProviderHealth } from '../../src-shared/chat.js';
import type { HealthReport, HealthStatus } from '../../src-shared/resources.js';
import { millis } from './format.js';

const TONE: Record<HealthStatus, 'good' | 'warn' | 'bad'> = { healthy: 'good', degraded: 'warn', unhealthy: 'bad' };

function Check({ label, ok, detail }: { label: string; ok: boolean | null; detail?: string | undefined }) {
  const tone = ok === null ? 'muted' : ok ? 'good' : 'bad';
  return (
    <li className="check">
      <span className={`dot ${tone}`} aria-hidden="true" />
      <span className="check-label">{label}</span>
      <span className={`check-value ${tone}`}>{ok === null ? 'not configured' : ok ? 'OK' : 'failing'}</span>
      {detail && <span className="check-detail">{detail}</span>}
    </li>
  );
}

function providerDetail(p: ProviderHealth): string | undefined {
  if (!p.configured) return undefined;
  if (!p.reachable) return p.lastError ?? 'not reachable';
  return p.latencyMs === null ? undefined : millis(p.latencyMs);
}

function storageDetail(health: HealthReport | null): string | undefined {
  const p = health?.problems.find((x) => x.check === 'storage');
  return p && `${p.message} ${p.fix}`;
}

interface Props {
  status: HealthStatus | undefined;
  health: HealthReport | null;
  providers: readonly ProviderHealth[];
  error: string | null;
}

/** Overall status (every tick), the engine's checks and each provider (every 10 s). */
export const HealthPanel = memo(function HealthPanel({ status, health, providers, error }: Props) {
  const llms = providers.filter((p) => p.kind === 'llm');
  const integrations = providers.filter((p) => p.kind === 'integration');
  return (
    <div className="card health-card" role="group" aria-labelledby="health-title">
      <div className="card-head">
        <h3 id="health-title">Health</h3>
        {status && <span className={`status-pill ${TONE[status]}`}>{status}</span>}
      </div>
      <ul className="checks">
        <Check label="HTTP client" ok={health ? health.checks.httpClient : null} />
        <Check label="Config cache" ok={health ? health.checks.configCache : null} />
        <Check label="Storage" ok={health ? health.checks.storage : null} detail={storageDetail(health)} />
        <li className="check">
          <span className="dot muted" aria-hidden="true" />
          <span className="check-label">Cleanup tasks</span>
          <span className="check-value">{health?.checks.cleanupTasks ?? '–'}</span>
        </li>
      </ul>
      {llms.length > 0 && (
        <>
          <h4>LLM providers</h4>
          <ul className="checks">
            {llms.map((p) => (
              <Check key={p.id} label={p.id} ok={p.configured ? p.reachable : null} detail={providerDetail(p)} />
            ))}
          </ul>
        </>
      )}
      {integrations.length > 0 && (
        <>
          <h4>Integrations</h4>
          <ul className="checks">
            {integrations.map((p) => (
              <Check key={p.id} label={p.id} ok={p.configured ? p.reachable : null} detail={providerDetail(p)} />
            ))}
          </ul>
        </>
      )}
      {error && <p className="muted small">Providers: {error}</p>}
    </div>
  );
});
