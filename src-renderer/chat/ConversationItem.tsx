import { memo, useState, type FormEvent, type Ref } from 'react';
import type { ConversationSummary } from '../../src-shared/chat.js';
import { Icon } from '../app/Icon.js';
import { relativeTime } from './format.js';

interface Props {
  conversation: ConversationSummary;
  active: boolean;
  /** Its row in the virtualised list, which measures it through `ref`. */
  index: number;
  ref: Ref<HTMLLIElement>;
  onSelect: (id: string) => void;
  onRename: (id: string, title: string) => void;
  onDelete: (id: string) => void;
}

/**
 * One conversation: open it, rename it in place, delete it after a second
 * click. Memoised, with callbacks that take the id, so a row renders again
 * only when its own conversation or its highlight changes.
 */
export const ConversationItem = memo(function ConversationItem({
  conversation: c,
  active,
  index,
  ref,
  onSelect,
  onRename,
  onDelete,
}: Props) {
  const [mode, setMode] = useState<'view' | 'rename' | 'confirm-delete'>('view');
  const [title, setTitle] = useState(c.title);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const t = title.trim();
    if (t && t !== c.title) onRename(c.id, t);
    setMode('view');
  };

  if (mode === 'rename') {
    return (
      <li ref={ref} data-index={index} className="conv-item editing">
        <form onSubmit={submit}>
          <input
            aria-label="Conversation title"
            value={title}
            maxLength={200}
            // eslint-disable-next-line jsx-a11y/no-autofocus -- shown by the user's Rename: focus goes to the field they asked for
            autoFocus
            onChange={(e) => setTitle(e.target.value)}
            onBlur={submit}
            onKeyDown={(e) => {
              if (e.key === 'Escape') {
                e.stopPropagation();
                setTitle(c.title);
                setMode('view');
              }
            }}
          />
        </form>
      </li>
    );
  }

  return (
    <li ref={ref} data-index={index} className={`conv-item${active ? ' active' : ''}`}>
      <button type="button" className="conv-open" aria-current={active ? 'true' : undefined} onClick={() => onSelect(c.id)}>
        <span className="conv-title">{c.title || 'New chat'}</span>
        <span className="conv-meta">
          {c.model} · {relativeTime(c.updatedAt)}
        </span>
      </button>
      {mode === 'confirm-delete' ? (
        <span className="conv-actions shown">
          <button type="button" className="btn danger small" onClick={() => onDelete(c.id)}>
            Delete
          </button>
          <button type="button" className="btn ghost small" onClick={() => setMode('view')}>
            Keep
          </button>
        </span>
      ) : (
        <span className="conv-actions">
          <button
            type="button"
            className="icon-btn"
            aria-label={`Rename “${c.title}”`}
            title="Rename"
            onClick={() => {
              setTitle(c.title);
              setMode('rename');
            }}
          >
            <Icon name="edit" />
          </button>
          <button
            type="button"
            className="icon-btn"
            aria-label={`Delete “${c.title}”`}
            title="Delete"
            onClick={() => setMode('confirm-delete')}
          >
            <Icon name="trash" />
          </button>
        </span>
      )}
    </li>
  );
});
