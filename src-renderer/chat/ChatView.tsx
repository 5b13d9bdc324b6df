import { useCallback, useEffect, useRef } from 'react';
import type { SetupStatus } from '../../src-shared/models.js';
import { useApi, useConnectionStatus } from '../api/context.js';
import { useAttachmentDraft } from '../attachments/use-attachment-draft.js';
import { useAttachmentSend } from '../attachments/use-attachment-send.js';
import { ContextMeter } from '../models/ContextMeter.js';
import { FirstRun } from '../models/FirstRun.js';
import { useContextWindow } from '../models/use-context-window.js';
import { useOverflowGuard } from '../models/use-overflow-guard.js';
import { ChatHeader } from './ChatHeader.js';
import { Composer, type ComposerHandle } from './Composer.js';
import { ConversationList } from './ConversationList.js';
import { ErrorBanner } from './ErrorBanner.js';
import { MessageList } from './MessageList.js';
import { useChat } from './use-chat.js';

/** The chat: conversations on the left, the open one on the right. */
export function ChatView({ active }: { active: boolean }) {
  const api = useApi();
  const chat = useChat(api);
  const composer = useRef<ComposerHandle>(null);
  const { state, busy, stop, newChat, select, reload } = chat;
  const contextUse = useContextWindow(api, chat.current, state.messages);
  const guard = useOverflowGuard(
    { current: chat.current, conversationId: state.conversationId, send: chat.send, newChat },
    contextUse,
    (text) => composer.current?.setText(text),
  );
  // With only an OpenAI-compatible server answering, a new chat goes there.
  const { settings, setSettings } = chat;
  const attachments = useAttachmentDraft(api);
  const attached = useAttachmentSend({
    draft: attachments,
    send: chat.send,
    sendText: guard.send,
    restore: (text) => composer.current?.setText(text),
    switchModel: (model) => setSettings({ model }),
  });
  const onModelReady = useCallback(
    (s: SetupStatus) => {
      if (s.provider === 'openai' && settings.provider !== 'openai') setSettings({ provider: 'openai', model: s.model ?? '' });
    },
    [settings.provider, setSettings],
  );

  const startNewChat = useCallback(() => {
    newChat();
    composer.current?.focus();
  }, [newChat]);

  // Ctrl/Cmd+N new chat, Esc stops: only while the chat is the view shown.
  useEffect(() => {
    if (!active) return;
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.shiftKey && !e.altKey && e.key.toLowerCase() === 'n') {
        e.preventDefault();
        startNewChat();
      } else if (e.key === 'Escape' && busy) {
        e.preventDefault();
        void stop();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [active, busy, stop, startNewChat]);

  // After a reconnect, events may have been missed: fetch the truth again.
  const status = useConnectionStatus();
  const wasOpen = useRef(status === 'open');
  useEffect(() => {
    if (status === 'open' && !wasOpen.current) {
      void reload();
      if (state.conversationId) void select(state.conversationId);
    }
    wasOpen.current = status === 'open';
  }, [status, reload, select, state.conversationId]);

  return (
    <div className="chat">
      <ConversationList
        conversations={chat.conversations}
        activeId={state.conversationId}
        query={chat.query}
        onQuery={chat.setQuery}
        onNew={startNewChat}
        onSelect={chat.select}
        onRename={chat.rename}
        onDelete={chat.remove}
      />
      <section className="chat-main" aria-label="Conversation">
        <ChatHeader chat={chat} />
        <ContextMeter conversation={chat.current} use={contextUse} />
        {state.error && <ErrorBanner error={state.error} onDismiss={chat.dismissError} />}
        <FirstRun show={state.conversationId === null && state.messages.length === 0} onReady={onModelReady}>
          <MessageList
            conversationKey={state.conversationId ?? 'draft'}
            messages={state.messages}
            streaming={state.streaming}
            awaiting={state.awaiting}
            loading={state.loading}
            busy={busy}
            live={chat.live}
            hasMore={state.hasMore}
            onLoadOlder={chat.loadOlder}
            onEdit={chat.edit}
            onRegenerate={chat.regenerate}
            onConfirmTool={chat.confirmTool}
            onSuggestion={(text) => composer.current?.setText(text)}
          />
        </FirstRun>
        {guard.prompt}
        {attached.prompt}
        <Composer ref={composer} busy={busy} onSend={attached.send} onStop={stop} attachments={attachments} />
      </section>
    </div>
  );
}
