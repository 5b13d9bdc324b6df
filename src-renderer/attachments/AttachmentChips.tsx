import { bytes } from '../dashboard/format.js';
import type { AttachmentDraft, Chip } from './use-attachment-draft.js';

function chipState(c: Chip): string {
  if (c.state === 'preparing') return 'Preparing…';
  if (c.state === 'error') return c.error.message;
  return c.ref.tokens !== undefined ? `~${c.ref.tokens.toLocaleString()} tokens` : 'Ready';
}

/** The files going with the next message: name, size, state (or the engine's word on what is wrong), and a way to take each out. */
export function AttachmentChips({ draft }: { draft: AttachmentDraft }) {
  if (draft.chips.length === 0) return null;
  return (
    <ul className="attach-chips" aria-label="Attachments">
      {draft.chips.map((c) => (
        <li key={c.key} className={`attach-chip ${c.state}`} data-state={c.state} aria-busy={c.state === 'preparing' || undefined}>
          <span className="attach-name" title={c.name}>
            {c.name}
          </span>
          <span className="attach-size">{bytes(c.size)}</span>
          <span className="attach-state" role={c.state === 'error' ? 'alert' : undefined}>
            {chipState(c)}
          </span>
          <button type="button" className="icon-btn attach-remove" aria-label={`Remove ${c.name}`} onClick={() => draft.remove(c.key)}>
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}
