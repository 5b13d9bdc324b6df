import { useEffect, useId, useLayoutEffect, useRef, useState } from 'react';

export interface TextEditorProps {
  /** The accessible name; shown above the box unless `hideLabel`. */
  label: string;
  hideLabel?: boolean;
  initial: string;
  saveText: string;
  /** Whether the text may be saved as it is (Save is disabled otherwise). */
  canSave: (text: string) => boolean;
  onSave: (text: string) => void;
  onCancel: () => void;
  /** Enter alone saves, as in the message box (Shift+Enter is a new line). Ctrl/Cmd+Enter always saves. */
  enterSaves?: boolean;
  minRows: number;
  maxRows: number;
  className: string;
  placeholder?: string;
  maxLength?: number;
  /** Take the keyboard when it opens (it opens on a click that asked for it). */
  focusOnOpen?: boolean;
}

function lineCount(text: string): number {
  return text.split('\n').length;
}

/**
 * A text box that edits one value in place: it grows with its text (wrapped
 * lines too) between `minRows` and `maxRows`, Ctrl/Cmd+Enter saves and
 * Escape cancels. Message editing and the system prompt both use it.
 */
export function TextEditor({
  label,
  hideLabel,
  initial,
  saveText,
  canSave,
  onSave,
  onCancel,
  enterSaves,
  minRows,
  maxRows,
  className,
  placeholder,
  maxLength,
  focusOnOpen,
}: TextEditorProps) {
  const [text, setText] = useState(initial);
  const box = useRef<HTMLTextAreaElement>(null);
  const id = useId();
  const ok = canSave(text);
  const save = () => {
    if (ok) onSave(text);
  };

  useEffect(() => {
    if (focusOnOpen) box.current?.focus();
  }, [focusOnOpen]);

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    el.rows = Math.min(maxRows, Math.max(minRows, lineCount(text)));
    while (el.rows < maxRows && el.scrollHeight > el.clientHeight) el.rows++;
  }, [text, minRows, maxRows]);

  return (
    <div className={className}>
      {!hideLabel && <label htmlFor={id}>{label}</label>}
      <textarea
        ref={box}
        id={id}
        aria-label={hideLabel ? label : undefined}
        rows={minRows}
        value={text}
        placeholder={placeholder}
        maxLength={maxLength}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          // An IME composing a character uses Enter to confirm it.
          if (e.key === 'Enter' && !e.nativeEvent.isComposing && (e.ctrlKey || e.metaKey || (enterSaves && !e.shiftKey))) {
            e.preventDefault();
            save();
          } else if (e.key === 'Escape') {
            // Esc here closes the editor; it must not also stop a reply.
            e.stopPropagation();
            onCancel();
          }
        }}
      />
      <div className="row-end">
        <button type="button" className="btn ghost small" onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className="btn primary small" onClick={save} disabled={!ok}>
          {saveText}
        </button>
      </div>
    </div>
  );
}
