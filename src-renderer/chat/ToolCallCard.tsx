import type { ToolCall } from '../../src-shared/chat.js';

const STATUS: Record<ToolCall['status'], string> = {
  pending: 'Waiting',
  approved: 'Approved',
  denied: 'Denied',
  done: 'Done',
  failed: 'Failed',
};

/** A tool the model asked to run, inline in its answer; state-changing ones wait for Approve/Deny. */
export function ToolCallCard({ call, onDecide }: { call: ToolCall; onDecide: (callId: string, approve: boolean) => void }) {
  const args = JSON.stringify(call.arguments, null, 2);
  const asking = call.needsConfirmation && call.status === 'pending';
  return (
    <div className={`tool-call status-${call.status}`}>
      <div className="tool-head">
        <span className="tool-name">
          <span aria-hidden="true">⚙ </span>
          {call.name}
        </span>
        <span className="badge">{STATUS[call.status]}</span>
      </div>
      {args !== '{}' && (
        <pre className="tool-args" tabIndex={0}>
          {args}
        </pre>
      )}
      {asking && (
        <div className="tool-confirm">
          {call.sendsTo ? (
            <span>
              After reading tool results, the model wants to send a request to <code className="tool-url">{call.sendsTo}</code>. Anything in
              it leaves this computer. Run it?
            </span>
          ) : (
            <span>This tool can change something. Run it?</span>
          )}
          <button type="button" className="btn primary small" onClick={() => onDecide(call.id, true)}>
            Approve
          </button>
          <button type="button" className="btn ghost small" onClick={() => onDecide(call.id, false)}>
            Deny
          </button>
        </div>
      )}
      {call.result !== undefined && (
        <details className="tool-result">
          <summary>Result</summary>
          <pre tabIndex={0}>{call.result}</pre>
        </details>
      )}
    </div>
  );
}
