import { useState } from 'react';

/** Edit a sent message in place; saving resends it and replaces what followed. */
export function MessageEditor({ initial, onSave, onCancel }: { initial: string; onSave: (text: string) => void; onCancel: () => void }) {
  const [text, setText] = useState(initial);
  const save = () => {
    const t = text.trim();
    if (t) onSave(t);
  };
  return (
    <div className="msg-editor">
      <textarea
        aria-label="Edit message"
        value={text}
        rows={Math.min(10, Math.max(2, text.split('\n').length))}
        autoFocus
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
            e.preventDefault();
            save();
          } else if (e.key === 'Escape') {
            e.stopPropagation();
            onCancel();
          }
        }}
      />
      <div className="row-end">
        <button type="button" className="btn ghost small" onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className="btn primary small" onClick={save} disabled={!text.trim()}>
          Save &amp; resend
        </button>
      </div>
    </div>
  );
}
