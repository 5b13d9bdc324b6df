import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import type { ConversationSummary } from '../../src-shared/chat.js';
import { estimateTokens, historyBudget, type ContextOverflow } from '../../src-shared/models.js';
import { useApi } from '../api/context.js';
import { errorValue } from '../api/errors.js';
import { integer } from '../dashboard/format.js';
import type { ContextUse } from './use-context-window.js';

export interface OverflowChat {
  readonly current: ConversationSummary | null;
  readonly conversationId: string | null;
  readonly send: (text: string) => Promise<unknown>;
  readonly newChat: () => void;
}

/**
 * Before a message that would not fit the context window goes out: ask the
 * person (start a new chat with it, or drop the oldest turns), remember the
 * choice for the conversation, and apply it from then on without asking.
 */
export function useOverflowGuard(
  chat: OverflowChat,
  use: ContextUse,
  restore: (text: string) => void,
): { readonly send: (text: string) => Promise<void>; readonly prompt: ReactNode } {
  const api = useApi();
  const [held, setHeld] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  // The text waiting for the new chat to open: sent once it has.
  const forNewChat = useRef<string | null>(null);
  const { send: sendNow, newChat, conversationId, current } = chat;

  useEffect(() => {
    const text = forNewChat.current;
    if (text === null || conversationId !== null) return;
    forNewChat.current = null;
    void sendNow(text);
  }, [conversationId, sendNow]);

  const startNew = useCallback(
    (text: string) => {
      forNewChat.current = text;
      newChat();
    },
    [newChat],
  );

  const send = useCallback(
    async (text: string) => {
      const over = current && use.limit !== null && use.used + estimateTokens(text) > historyBudget(use.limit);
      if (!over || current.overflow === 'drop-oldest') {
        await sendNow(text);
        return;
      }
      if (current.overflow === 'new-chat') return startNew(text);
      setProblem(null);
      setHeld(text);
    },
    [current, use.limit, use.used, sendNow, startNew],
  );

  const choose = async (choice: ContextOverflow) => {
    if (held === null || !current) return;
    const text = held;
    setHeld(null);
    try {
      await api.chat.update({ conversationId: current.id, overflow: choice });
    } catch (err) {
      setProblem(errorValue(err).message);
      restore(text);
      return;
    }
    if (choice === 'new-chat') startNew(text);
    else await sendNow(text);
  };

  const prompt =
    held !== null || problem ? (
      <div className="banner warn overflow-prompt" role="alert">
        {problem ?? (
          <>
            <span className="banner-text">
              This message would not fit the context window ({integer(use.used + estimateTokens(held ?? ''))} of {integer(use.limit ?? 0)}{' '}
              tokens, with room for the answer). Vega remembers your choice for this conversation.
            </span>
            <button type="button" className="btn small" onClick={() => void choose('new-chat')}>
              Start a new chat with it
            </button>
            <button type="button" className="btn small" onClick={() => void choose('drop-oldest')}>
              Drop the oldest turns
            </button>
          </>
        )}
        <button
          type="button"
          className="btn ghost small"
          onClick={() => {
            if (held !== null) restore(held);
            setHeld(null);
            setProblem(null);
          }}
        >
          {problem ? 'Dismiss' : 'Cancel'}
        </button>
      </div>
    ) : null;

  return { send, prompt };
}
