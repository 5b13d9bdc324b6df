import { useState } from 'react';

/** Edit the instructions the model gets before the conversation. */
export function SystemPromptPanel({ value, onSave, onCancel }: { value: string; onSave: (v: string) => void; onCancel: () => void }) {
  const [text, setText] = useState(value);
  return (
    <div className="system-prompt">
      <label htmlFor="system-prompt">System prompt</label>
      <textarea
        id="system-prompt"
        rows={4}
        maxLength={20_000}
        placeholder="You are a concise assistant…"
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          // Esc here closes the panel; it must not also stop a reply.
          if (e.key === 'Escape') {
            e.stopPropagation();
            onCancel();
          }
        }}
      />
      <div className="row-end">
        <button type="button" className="btn ghost small" onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className="btn primary small" onClick={() => onSave(text)} disabled={text === value}>
          Save prompt
        </button>
      </div>
    </div>
  );
}
