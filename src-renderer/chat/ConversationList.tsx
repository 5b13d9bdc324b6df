import { Icon } from '../app/Icon.js';
import type { ChatController } from './use-chat.js';
import { ConversationItem } from './ConversationItem.js';

/** The left pane: New chat, search, and the conversations newest first. */
export function ConversationList({ chat, onNew }: { chat: ChatController; onNew: () => void }) {
  const activeId = chat.state.conversationId;
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
        value={chat.query}
        onChange={(e) => chat.setQuery(e.target.value)}
      />
      <ul className="conv-list">
        {chat.conversations.map((c) => (
          <ConversationItem
            key={c.id}
            conversation={c}
            active={c.id === activeId}
            onSelect={() => void chat.select(c.id)}
            onRename={(title) => void chat.rename(c.id, title)}
            onDelete={() => void chat.remove(c.id)}
          />
        ))}
      </ul>
      {chat.conversations.length === 0 && (
        <p className="muted small empty-list">{chat.query ? 'No conversation matches.' : 'No conversations yet.'}</p>
      )}
    </nav>
  );
}
