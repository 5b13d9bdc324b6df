import { memo } from 'react';
import type { RecentRequest } from '../../src-shared/resources.js';
import { RequestId } from '../app/RequestId.js';
import { useNavigation } from '../app/navigation.js';
import { bytes, clock, millis, shortOrigin } from './format.js';

function statusTone(r: RecentRequest): string {
  if (r.error || r.status === 0 || r.status >= 500) return 'bad';
  if (r.status >= 400) return 'warn';
  return 'good';
}

/**
 * The last outbound requests of the one pooled client (the host sends newest
 * first), with the request id that ties each to its call and log lines:
 * clicking it opens the Logs view filtered by it.
 */
export const RecentRequests = memo(function RecentRequests({ requests }: { requests: readonly RecentRequest[] | null }) {
  const nav = useNavigation();
  return (
    <div className="card requests-card wide" role="group" aria-labelledby="requests-title">
      <div className="card-head">
        <h3 id="requests-title">Recent requests</h3>
        <span className="muted small">refreshed every 10 s</span>
      </div>
      {!requests || requests.length === 0 ? (
        <p className="muted small">{requests ? 'No outbound request yet.' : 'Loading…'}</p>
      ) : (
        <div className="table-scroll" tabIndex={0} role="region" aria-label="Recent requests table">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Request</th>
                <th scope="col">Status</th>
                <th scope="col">Duration</th>
                <th scope="col">Size</th>
                <th scope="col">Request id</th>
              </tr>
            </thead>
            <tbody>
              {requests.map((r, i) => (
                <tr key={`${r.at}-${i}`}>
                  <td className="mono">{clock(r.at)}</td>
                  <td className="mono ellipsis" title={`${r.method} ${r.origin}${r.path}`}>
                    {r.method} {shortOrigin(r.origin)}
                    {r.path}
                  </td>
                  <td>
                    <span className={`status-text ${statusTone(r)}`}>{r.error ?? (r.status || '–')}</span>
                  </td>
                  <td>{millis(r.ms)}</td>
                  <td>{bytes(r.bytes)}</td>
                  <td className="mono muted">{r.requestId ? <RequestId id={r.requestId} onPick={nav?.openLogs} /> : '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
});
