import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useCallback, useRef } from 'react';
import type { ConversationSummary } from '../../src-shared/chat.js';
import { Icon } from '../app/Icon.js';
import { ConversationItem } from './ConversationItem.js';

interface Props {
  conversations: readonly ConversationSummary[];
  activeId: string | null;
  query: string;
  onQuery: (query: string) => void;
  onNew: () => void;
  onSelect: (id: string) => void;
  onRename: (id: string, title: string) => void;
  onDelete: (id: string) => void;
}

/**
 * The left pane: New chat, search, and the conversations newest first.
 * Virtualised, and every prop stable between the list's own changes: with
 * a thousand conversations, only the rows on screen exist, and an answer
 * streaming on the right renders none of them again.
 */
export const ConversationList = memo(function ConversationList({ conversations, activeId, query, onQuery, onNew, ...item }: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  // Stable while the list is: a new key function makes the virtualiser measure all the rows again.
  const getItemKey = useCallback((i: number) => conversations[i]!.id, [conversations]);
  const virtualizer = useVirtualizer({
    count: conversations.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => 52,
    // The rows' margin, so the virtualiser's offsets match the flow inside the window.
    gap: 2,
    overscan: 8,
    getItemKey,
    // Before the first measurement (and in tests without layout) assume a window-tall sidebar.
    initialRect: { width: 264, height: 900 },
  });
  const items = virtualizer.getVirtualItems();
  return (
    <nav className="sidebar" aria-label="Conversations">
      <button type="button" className="btn primary block" onClick={onNew} title="New chat (Ctrl+N)">
        <Icon name="plus" /> New chat
      </button>
      <input
        type="search"
        className="search"
        aria-label="Search conversations"
        placeholder="Search conversations"
        value={query}
        onChange={(e) => onQuery(e.target.value)}
      />
      <div ref={scroller} className="conv-list">
        <div className="conv-inner" style={{ height: virtualizer.getTotalSize() }}>
          <ul className="conv-window" style={{ transform: `translateY(${items[0]?.start ?? 0}px)` }}>
            {items.map((row) => {
              const c = conversations[row.index]!;
              return (
                <ConversationItem
                  key={row.key}
                  ref={virtualizer.measureElement}
                  index={row.index}
                  conversation={c}
                  active={c.id === activeId}
                  {...item}
                />
              );
            })}
          </ul>
        </div>
      </div>
      {conversations.length === 0 && (
        <p className="muted small empty-list">{query ? 'No conversation matches.' : 'No conversations yet.'}</p>
      )}
    </nav>
  );
});
