import { TextEditor } from './TextEditor.js';

/** Edit the instructions the model gets before the conversation. */
export function SystemPromptPanel({ value, onSave, onCancel }: { value: string; onSave: (v: string) => void; onCancel: () => void }) {
  return (
    <TextEditor
      className="system-prompt"
      label="System prompt"
      initial={value}
      saveText="Save prompt"
      canSave={(text) => text !== value}
      onSave={onSave}
      onCancel={onCancel}
      minRows={4}
      maxRows={16}
      placeholder="You are a concise assistant…"
      maxLength={20_000}
    />
  );
}
