import { useCallback, useEffect, useLayoutEffect, useMemo, useReducer, useRef, useState } from 'react';
import type { VegaApi } from '../../src-shared/api.js';
import type { ChatEvent, Conversation, ConversationSummary, ProviderId } from '../../src-shared/chat.js';
import type { VegaErrorValue } from '../../src-shared/errors.js';
import { errorValue } from '../api/errors.js';
import { takeEarlyList } from './early-list.js';
import { chatReducer, initialChatState, isBusy, withSummary } from './chat-state.js';
import { LiveText } from './live-text.js';

/** What a message takes besides its text (see src-renderer/attachments/use-attachment-send.tsx). */
export interface SendExtra {
  /** Ids from `attachments:add`. */
  readonly attachments?: readonly string[];
  /** Cut the documents to fit the context window. */
  readonly includeFirstPart?: boolean;
  /** Refusals the caller answers itself (a model that cannot see): true keeps them out of the chat's error banner. */
  readonly handles?: (e: VegaErrorValue) => boolean;
}

export interface ChatSettings {
  readonly provider: ProviderId;
  /** '' means the host's default model (VEGA_MODEL). */
  readonly model: string;
  readonly systemPrompt: string;
}

/** Messages asked for when a conversation opens (its newest), then per page scrolled back through. */
export const FIRST_PAGE = 20;
export const OLDER_PAGE = 100;

/** Deliver pushed items at most once per frame: many tokens a second become one render. */
function frameBatcher<T>(flush: (items: T[]) => void): { push(item: T): void; readonly empty: boolean; cancel(): void } {
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
    get empty() {
      return items.length === 0;
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
  const conversationsRef = useRef(conversations);
  useLayoutEffect(() => {
    queryRef.current = query;
    stateRef.current = state;
    conversationsRef.current = conversations;
  });
  const [live] = useState(() => new LiveText());
  const olderInFlight = useRef(false);

  /** The text held for streaming messages, as token events the state appends (before anything else changes them). */
  const heldText = useCallback(
    (conversationId: string): ChatEvent[] =>
      live.takeAll().map(([messageId, text]) => ({ type: 'token', conversationId, messageId, text })),
    [live],
  );

  const refreshList = useCallback(async () => {
    try {
      const q = queryRef.current.trim();
      setConversations(await ((!q && takeEarlyList(api)) || api.chat.list(q ? { query: q } : {})));
    } catch (err) {
      dispatch({ type: 'error', error: errorValue(err) });
    }
  }, [api]);

  useEffect(() => {
    // Typing in the search waits for a pause; the whole list (at start, or the search cleared) is asked for now.
    if (!query) {
      void refreshList();
      return;
    }
    const t = setTimeout(() => void refreshList(), 200);
    return () => clearTimeout(t);
  }, [query, refreshList]);

  useEffect(() => {
    const batch = frameBatcher<ChatEvent>((events) => {
      const s = stateRef.current;
      const out: ChatEvent[] = [];
      for (const e of events) {
        // A token for an answer already streaming: only that message's component hears of it.
        if (e.type === 'token' && e.conversationId === s.conversationId && s.streaming.has(e.messageId)) live.append(e.messageId, e.text);
        else {
          if (s.conversationId !== null && e.conversationId === s.conversationId) out.push(...heldText(s.conversationId));
          out.push(e);
        }
      }
      if (out.length) dispatch({ type: 'events', events: out });
    });
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
      // A token for an answer already streaming, nothing queued before it: to that message at once, not a frame
      // later (LiveText paces how often it shows). The first token of an answer reaches the screen sooner.
      const s = stateRef.current;
      if (batch.empty && e.type === 'token' && e.conversationId === s.conversationId && s.streaming.has(e.messageId))
        live.append(e.messageId, e.text);
      else batch.push(e);
    });
    return () => {
      off();
      batch.cancel();
    };
  }, [api, refreshList, live, heldText]);

  const select = useCallback(
    async (id: string | null) => {
      const summary = id === null ? null : (conversationsRef.current.find((c) => c.id === id) ?? null);
      // Another conversation's streamed text must not be taken for this one's.
      if (id !== stateRef.current.conversationId) live.takeAll();
      dispatch({ type: 'open', conversationId: id, conversation: summary });
      if (id === null) return;
      try {
        const page = await api.chat.get({ conversationId: id, limit: FIRST_PAGE });
        // The host's copy replaces what streamed so far (a reload after a reconnect).
        live.takeAll();
        dispatch({ type: 'loaded', conversation: page });
      } catch (err) {
        dispatch({ type: 'error', error: errorValue(err) });
      }
    },
    [api, live],
  );

  /** The page before the oldest message shown, once at a time. */
  const loadOlder = useCallback(async () => {
    const s = stateRef.current;
    if (s.conversationId === null || !s.hasMore || olderInFlight.current) return;
    olderInFlight.current = true;
    const first = s.messages[0];
    try {
      const page = await api.chat.get({ conversationId: s.conversationId, ...(first ? { before: first.id } : {}), limit: OLDER_PAGE });
      dispatch({ type: 'older', page });
    } catch (err) {
      dispatch({ type: 'older-failed', error: errorValue(err) });
    } finally {
      olderInFlight.current = false;
    }
  }, [api]);

  const newChat = useCallback(() => {
    const cur = stateRef.current.conversation;
    // Keep the provider and model just used: the usual next chat uses them too.
    if (cur) setDraft({ provider: cur.provider, model: cur.model, systemPrompt: '' });
    live.takeAll();
    dispatch({ type: 'open', conversationId: null });
  }, [live]);

  /** The error the host refused the turn with, or null; one `handles` takes is the caller's to show, not the chat's. */
  const runTurn = useCallback(async (start: () => Promise<unknown>, handles?: (e: VegaErrorValue) => boolean) => {
    dispatch({ type: 'turn-started' });
    try {
      await start();
      return null;
    } catch (err) {
      const error = errorValue(err);
      dispatch(handles?.(error) ? { type: 'stopped' } : { type: 'turn-failed', error });
      return error;
    }
  }, []);

  const send = useCallback(
    async (text: string, extra: SendExtra = {}): Promise<VegaErrorValue | null> => {
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
          const error = errorValue(err);
          dispatch({ type: 'error', error });
          return error;
        }
      }
      const conversationId = id;
      const { attachments, includeFirstPart, handles } = extra;
      const files = attachments?.length ? { attachments: [...attachments], ...(includeFirstPart ? { includeFirstPart } : {}) } : {};
      return runTurn(() => api.chat.send({ conversationId, text, ...files }), handles);
    },
    [api, draft, runTurn],
  );

  const stop = useCallback(async () => {
    const id = stateRef.current.conversationId;
    if (id === null || !isBusy(stateRef.current)) return;
    try {
      const { stopped } = await api.chat.stop({ conversationId: id });
      // Nothing was running on the host: whatever we thought was streaming is not (and keeps the text it got).
      if (!stopped) {
        dispatch({ type: 'events', events: heldText(id) });
        dispatch({ type: 'stopped' });
      }
    } catch (err) {
      dispatch({ type: 'error', error: errorValue(err) });
    }
  }, [api, heldText]);

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

  const rename = useCallback((id: string, title: string) => update(id, { title }), [update]);

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
    rename,
    remove,
    setSettings,
    dismissError: () => dispatch({ type: 'dismiss-error' }),
    reload: refreshList,
    loadOlder,
    /** Text streamed into answers not yet in `state.messages` (see LiveText). */
    live,
  };
}

export type ChatController = ReturnType<typeof useChat>;
