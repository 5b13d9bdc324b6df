import { useCallback, useEffect, useLayoutEffect, useMemo, useReducer, useRef, useState } from 'react';
import type { VegaApi } from '../../src-shared/api.js';
import type { ChatEvent, Conversation, ConversationSummary, ProviderId } from '../../src-shared/chat.js';
import { errorValue } from '../api/errors.js';
import { chatReducer, initialChatState, isBusy, withSummary } from './chat-state.js';

export interface ChatSettings {
  readonly provider: ProviderId;
  /** '' means the host's default model (VEGA_MODEL). */
  readonly model: string;
  readonly systemPrompt: string;
}

/** Deliver pushed items at most once per frame: many tokens a second become one render. */
function frameBatcher<T>(flush: (items: T[]) => void): { push(item: T): void; cancel(): void } {
  let items: T[] = [];
  let cancel: (() => void) | null = null;
  const run = () => {
    cancel = null;
    const batch = items;
    items = [];
    flush(batch);
  };
  return {
    push(item) {
      items.push(item);
      if (cancel) return;
      // rAF stalls in a hidden window; a timer still delivers there.
      if (typeof requestAnimationFrame === 'function' && document.visibilityState === 'visible') {
        const h = requestAnimationFrame(run);
        cancel = () => cancelAnimationFrame(h);
      } else {
        const h = setTimeout(run, 16);
        cancel = () => clearTimeout(h);
      }
    },
    cancel() {
      cancel?.();
      cancel = null;
    },
  };
}

/**
 * Everything the chat view does, over the VegaApi: the conversation list,
 * the open conversation fed by pushed events, and the actions. A new chat is
 * a draft until its first message, so empty conversations do not pile up.
 */
export function useChat(api: VegaApi) {
  const [state, dispatch] = useReducer(chatReducer, initialChatState);
  const [conversations, setConversations] = useState<readonly ConversationSummary[]>([]);
  const [query, setQuery] = useState('');
  const [draft, setDraft] = useState<ChatSettings>({ provider: 'ollama', model: '', systemPrompt: '' });
  // The latest values, for callbacks that must not change identity; set once
  // the render is committed, before any effect or event can read them.
  const queryRef = useRef(query);
  const stateRef = useRef(state);
  useLayoutEffect(() => {
    queryRef.current = query;
    stateRef.current = state;
  });

  const refreshList = useCallback(async () => {
    try {
      const q = queryRef.current.trim();
      setConversations(await api.chat.list(q ? { query: q } : {}));
    } catch (err) {
      dispatch({ type: 'error', error: errorValue(err) });
    }
  }, [api]);

  useEffect(() => {
    const t = setTimeout(() => void refreshList(), query ? 200 : 0);
    return () => clearTimeout(t);
  }, [query, refreshList]);

  useEffect(() => {
    const batch = frameBatcher<ChatEvent>((events) => dispatch({ type: 'events', events }));
    const off = api.chat.onEvent((e) => {
      if (e.type === 'conversation' || e.type === 'conversation-deleted') {
        // One conversation changed; while searching, ask again rather than guess whether it matches.
        if (queryRef.current.trim()) void refreshList();
        else
          setConversations((list) =>
            e.type === 'conversation' ? withSummary(list, e.summary) : list.filter((c) => c.id !== e.conversationId),
          );
        return;
      }
      batch.push(e);
    });
    return () => {
      off();
      batch.cancel();
    };
  }, [api, refreshList]);

  const select = useCallback(
    async (id: string | null) => {
      const summary = id === null ? null : (conversations.find((c) => c.id === id) ?? null);
      dispatch({ type: 'open', conversationId: id, conversation: summary });
      if (id === null) return;
      try {
        dispatch({ type: 'loaded', conversation: await api.chat.get({ conversationId: id }) });
      } catch (err) {
        dispatch({ type: 'error', error: errorValue(err) });
      }
    },
    [api, conversations],
  );

  const newChat = useCallback(() => {
    const cur = stateRef.current.conversation;
    // Keep the provider and model just used: the usual next chat uses them too.
    if (cur) setDraft({ provider: cur.provider, model: cur.model, systemPrompt: '' });
    dispatch({ type: 'open', conversationId: null });
  }, []);

  const runTurn = useCallback(async (start: () => Promise<unknown>) => {
    dispatch({ type: 'turn-started' });
    try {
      await start();
    } catch (err) {
      dispatch({ type: 'turn-failed', error: errorValue(err) });
    }
  }, []);

  const send = useCallback(
    async (text: string) => {
      let id = stateRef.current.conversationId;
      if (id === null) {
        try {
          const created = await api.chat.create({
            provider: draft.provider,
            ...(draft.model ? { model: draft.model } : {}),
            ...(draft.systemPrompt ? { systemPrompt: draft.systemPrompt } : {}),
          });
          id = created.id;
          setConversations((list) => withSummary(list, created));
          dispatch({ type: 'open', conversationId: id, conversation: created });
          dispatch({ type: 'loaded', conversation: { ...created, systemPrompt: draft.systemPrompt, messages: [] } });
        } catch (err) {
          dispatch({ type: 'error', error: errorValue(err) });
          return;
        }
      }
      const conversationId = id;
      await runTurn(() => api.chat.send({ conversationId, text }));
    },
    [api, draft, runTurn],
  );

  const stop = useCallback(async () => {
    const id = stateRef.current.conversationId;
    if (id === null || !isBusy(stateRef.current)) return;
    try {
      const { stopped } = await api.chat.stop({ conversationId: id });
      // Nothing was running on the host: whatever we thought was streaming is not.
      if (!stopped) dispatch({ type: 'stopped' });
    } catch (err) {
      dispatch({ type: 'error', error: errorValue(err) });
    }
  }, [api]);

  const regenerate = useCallback(async () => {
    const id = stateRef.current.conversationId;
    if (id === null) return;
    dispatch({ type: 'drop-last-reply' });
    await runTurn(() => api.chat.regenerate({ conversationId: id }));
  }, [api, runTurn]);

  const edit = useCallback(
    async (messageId: string, text: string) => {
      const id = stateRef.current.conversationId;
      if (id === null) return;
      dispatch({ type: 'edit', messageId, text });
      await runTurn(() => api.chat.edit({ conversationId: id, messageId, text }));
    },
    [api, runTurn],
  );

  const confirmTool = useCallback(
    async (callId: string, approve: boolean) => {
      const id = stateRef.current.conversationId;
      if (id === null) return;
      dispatch({ type: 'tool-decided', callId, approve });
      try {
        await api.chat.confirmTool({ conversationId: id, callId, approve });
      } catch (err) {
        dispatch({ type: 'error', error: errorValue(err) });
      }
    },
    [api],
  );

  const update = useCallback(
    async (conversationId: string, patch: Partial<Pick<Conversation, 'title' | 'model' | 'provider' | 'systemPrompt'>>) => {
      try {
        const updated = await api.chat.update({ conversationId, ...patch });
        setConversations((list) => list.map((c) => (c.id === updated.id ? updated : c)));
        dispatch({ type: 'summary', conversation: updated, systemPrompt: patch.systemPrompt });
      } catch (err) {
        dispatch({ type: 'error', error: errorValue(err) });
      }
    },
    [api],
  );

  /** Provider, model or system prompt: of the open conversation, or of the draft. */
  const setSettings = useCallback(
    (patch: Partial<ChatSettings>) => {
      const id = stateRef.current.conversationId;
      if (id === null) setDraft((d) => ({ ...d, ...patch }));
      else void update(id, patch.model === '' ? { ...patch, model: undefined } : patch);
    },
    [update],
  );

  const remove = useCallback(
    async (conversationId: string) => {
      try {
        await api.chat.delete({ conversationId });
        setConversations((list) => list.filter((c) => c.id !== conversationId));
        if (stateRef.current.conversationId === conversationId) dispatch({ type: 'open', conversationId: null });
      } catch (err) {
        dispatch({ type: 'error', error: errorValue(err) });
      }
    },
    [api],
  );

  // The list is refreshed by pushed events (an automatic title, say): prefer its copy.
  const current = useMemo(
    () => (state.conversationId === null ? null : (conversations.find((c) => c.id === state.conversationId) ?? state.conversation)),
    [conversations, state.conversationId, state.conversation],
  );
  const settings: ChatSettings = useMemo(
    () => (current ? { provider: current.provider, model: current.model, systemPrompt: state.systemPrompt } : draft),
    [current, draft, state.systemPrompt],
  );

  return {
    state,
    current,
    busy: isBusy(state),
    conversations,
    query,
    setQuery,
    settings,
    select,
    newChat,
    send,
    stop,
    regenerate,
    edit,
    confirmTool,
    rename: (id: string, title: string) => update(id, { title }),
    remove,
    setSettings,
    dismissError: () => dispatch({ type: 'dismiss-error' }),
    reload: refreshList,
  };
}

export type ChatController = ReturnType<typeof useChat>;
