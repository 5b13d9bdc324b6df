import { useState, type FormEvent } from 'react';
import type { ConversationSummary } from '../../src-shared/chat.js';
import { NUM_CTX_MAX, NUM_CTX_MIN } from '../../src-shared/models.js';
import { useApi } from '../api/context.js';
import { errorValue } from '../api/errors.js';
import { integer } from '../dashboard/format.js';
import type { ContextUse } from './use-context-window.js';

/** The conversation's num_ctx for Ollama; empty goes back to the model's default. */
function NumCtxField({ conversation }: { conversation: ConversationSummary }) {
  const api = useApi();
  const [value, setValue] = useState(conversation.numCtx ? String(conversation.numCtx) : '');
  const [error, setError] = useState<string | null>(null);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    const n = value.trim() === '' ? null : Number(value);
    if (n !== null && !(Number.isInteger(n) && n >= NUM_CTX_MIN && n <= NUM_CTX_MAX)) {
      setError(`A whole number from ${NUM_CTX_MIN} to ${integer(NUM_CTX_MAX)}, or empty for the model's default.`);
      return;
    }
    try {
      await api.chat.update({ conversationId: conversation.id, ...(n === null ? { resetNumCtx: true } : { numCtx: n }) });
      setError(null);
    } catch (err) {
      setError(errorValue(err).message);
    }
  };
  return (
    <form className="num-ctx" onSubmit={(e) => void save(e)}>
      <label className="field-inline">
        <span>num_ctx</span>
        <input inputMode="numeric" value={value} placeholder="model default" onChange={(e) => setValue(e.target.value)} size={8} />
      </label>
      <button type="submit" className="btn small">
        Set
      </button>
      {error && (
        <span className="small pull-error" role="alert">
          {error}
        </span>
      )}
    </form>
  );
}

/** How much of the model's context window the conversation uses, and its size for Ollama. */
export function ContextMeter({ conversation, use }: { conversation: ConversationSummary | null; use: ContextUse }) {
  if (!conversation) return null;
  const { used, limit } = use;
  const percent = limit ? Math.min(100, Math.round((used / limit) * 100)) : null;
  const text = limit ? `${integer(used)} of ${integer(limit)} tokens (${percent} %)` : used ? `${integer(used)} tokens` : 'no answer yet';
  return (
    <div className={`context-meter${percent !== null && percent >= 90 ? ' full' : ''}`}>
      <span className="small muted">Context</span>
      {limit && (
        <meter
          min={0}
          max={limit}
          value={Math.min(used, limit)}
          low={limit * 0.75}
          high={limit * 0.9}
          optimum={0}
          aria-label="Context window used"
          aria-valuetext={text}
        />
      )}
      <span className="small" data-testid="context-used">
        {text}
      </span>
      {conversation.overflow && (
        <span className="badge">when full: {conversation.overflow === 'drop-oldest' ? 'drops the oldest turns' : 'starts a new chat'}</span>
      )}
      {conversation.provider === 'ollama' && (
        <details className="context-settings">
          <summary className="small">Window size</summary>
          <NumCtxField key={conversation.id} conversation={conversation} />
        </details>
      )}
    </div>
  );
}
