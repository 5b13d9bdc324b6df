import { TextEditor } from './TextEditor.js';

const hasText = (t: string) => t.trim() !== '';

/** Edit a sent message in place; saving resends it and replaces what followed. */
export function MessageEditor({ initial, onSave, onCancel }: { initial: string; onSave: (text: string) => void; onCancel: () => void }) {
  return (
    <TextEditor
      className="msg-editor"
      label="Edit message"
      hideLabel
      initial={initial}
      saveText="Save & resend"
      canSave={hasText}
      onSave={(text) => onSave(text.trim())}
      onCancel={onCancel}
      enterSaves
      minRows={2}
      maxRows={10}
      focusOnOpen
    />
  );
}
