import { memo, useState } from 'react';
import type { ChatMessage } from '../../src-shared/chat.js';
import { Icon } from '../app/Icon.js';
import { useNavigation } from '../app/navigation.js';
import { RequestId } from '../app/RequestId.js';
import { copyText } from '../app/clipboard.js';
import { MessageAttachments } from '../attachments/MessageAttachments.js';
import { Markdown } from './Markdown.js';
import { MessageEditor } from './MessageEditor.js';
import { MessageStats } from './MessageStats.js';
import { Typing } from './Typing.js';
import { ToolCallCard } from './ToolCallCard.js';

interface Props {
  message: ChatMessage;
  streaming: boolean;
  /** The last answer: the one Regenerate replaces. */
  last: boolean;
  busy: boolean;
  onEdit: (messageId: string, text: string) => void;
  onRegenerate: () => void;
  onConfirmTool: (callId: string, approve: boolean) => void;
}

/**
 * One message. Memoised: a streamed token changes one message object, so
 * only that message re-renders (and re-parses its Markdown).
 */
export const MessageItem = memo(function MessageItem({ message: m, streaming, last, busy, onEdit, onRegenerate, onConfirmTool }: Props) {
  const [editing, setEditing] = useState(false);
  const nav = useNavigation();

  if (m.role === 'tool') {
    return (
      <div className="msg tool" data-message-id={m.id}>
        <details>
          <summary>Tool result</summary>
          <pre tabIndex={0}>{m.content}</pre>
        </details>
      </div>
    );
  }

  if (m.role === 'user') {
    return (
      <article className="msg user" data-message-id={m.id} aria-label="You said">
        {m.attachments && m.attachments.length > 0 && <MessageAttachments refs={m.attachments} />}
        {editing ? (
          <MessageEditor
            initial={m.content}
            onCancel={() => setEditing(false)}
            onSave={(text) => {
              setEditing(false);
              onEdit(m.id, text);
            }}
          />
        ) : (
          <>
            <div className="bubble">{m.content}</div>
            <div className="msg-actions">
              <button
                type="button"
                className="icon-btn"
                aria-label="Edit message"
                title="Edit and resend"
                disabled={busy}
                onClick={() => setEditing(true)}
              >
                <Icon name="edit" size={14} />
              </button>
            </div>
          </>
        )}
      </article>
    );
  }

  return (
    <article
      className={`msg assistant${streaming ? ' streaming' : ''}`}
      data-message-id={m.id}
      aria-label="Vega said"
      aria-busy={streaming || undefined}
    >
      <div className="avatar" aria-hidden="true">
        V
      </div>
      <div className="msg-body">
        {m.content ? <Markdown text={m.content} /> : streaming ? <Typing label="Vega is typing" /> : null}
        {m.toolCalls?.map((c) => (
          <ToolCallCard key={c.id} call={c} onDecide={onConfirmTool} />
        ))}
        {m.error && <p className="msg-error">{m.error.message}</p>}
        {!streaming && (
          <div className="msg-footer">
            {m.partial && !m.error && <span className="badge warn">Stopped</span>}
            {m.model && <span className="msg-model">{m.model}</span>}
            {m.stats && <MessageStats stats={m.stats} />}
            {m.requestId && <RequestId id={m.requestId} onPick={nav?.openLogs} />}
            <span className="msg-actions">
              <button type="button" className="icon-btn" aria-label="Copy answer" title="Copy" onClick={() => void copyText(m.content)}>
                <Icon name="copy" size={14} />
              </button>
              {last && (
                <button
                  type="button"
                  className="icon-btn"
                  aria-label="Regenerate"
                  title="Regenerate"
                  disabled={busy}
                  onClick={onRegenerate}
                >
                  <Icon name="refresh" size={14} />
                </button>
              )}
            </span>
          </div>
        )}
      </div>
    </article>
  );
});
