import type { ChatEvent, ChatMessage, Conversation, ConversationPage, ConversationSummary, ToolCall } from '../../src-shared/chat.js';
import type { VegaErrorValue } from '../../src-shared/errors.js';

/**
 * The open conversation as the window sees it, and how pushed chat events
 * change it. Pure, so the stream rules (append to the right message, 'done'
 * replaces, other conversations ignored) are in one readable place.
 */
export interface ChatState {
  readonly conversationId: string | null;
  readonly conversation: ConversationSummary | null;
  /** The open conversation's: it comes with the conversation (`chat:get`), never with the list. */
  readonly systemPrompt: string;
  readonly messages: readonly ChatMessage[];
  /** Assistant messages still receiving tokens. */
  readonly streaming: ReadonlySet<string>;
  /** A send, regenerate or edit is on its way and no answer has started yet. */
  readonly awaiting: boolean;
  /**
   * A turn is running on the host: from the request until its 'done'. Wider
   * than `streaming`: it also covers a tool call waiting for Approve/Deny,
   * when no message streams but Stop must still work.
   */
  readonly running: boolean;
  readonly loading: boolean;
  /** Older messages than the first shown are on the host (`chat:get` answers the newest page first). */
  readonly hasMore: boolean;
  readonly error: VegaErrorValue | null;
}

export type ChatAction =
  | { readonly type: 'open'; readonly conversationId: string | null; readonly conversation?: ConversationSummary | null }
  | { readonly type: 'loaded'; readonly conversation: Conversation & { readonly hasMore?: boolean } }
  | { readonly type: 'older'; readonly page: ConversationPage }
  | { readonly type: 'older-failed'; readonly error: VegaErrorValue }
  | { readonly type: 'summary'; readonly conversation: ConversationSummary; readonly systemPrompt?: string }
  | { readonly type: 'events'; readonly events: readonly ChatEvent[] }
  | { readonly type: 'turn-started' }
  | { readonly type: 'turn-failed'; readonly error: VegaErrorValue }
  | { readonly type: 'stopped' }
  | { readonly type: 'edit'; readonly messageId: string; readonly text: string }
  | { readonly type: 'drop-last-reply' }
  | { readonly type: 'tool-decided'; readonly callId: string; readonly approve: boolean }
  | { readonly type: 'error'; readonly error: VegaErrorValue }
  | { readonly type: 'dismiss-error' };

export const initialChatState: ChatState = {
  conversationId: null,
  conversation: null,
  systemPrompt: '',
  messages: [],
  streaming: new Set(),
  awaiting: false,
  running: false,
  loading: false,
  hasMore: false,
  error: null,
};

const EMPTY: ReadonlySet<string> = new Set();

export function isBusy(s: ChatState): boolean {
  return s.awaiting || s.running || s.streaming.size > 0;
}

export function chatReducer(state: ChatState, action: ChatAction): ChatState {
  switch (action.type) {
    case 'open':
      if (action.conversationId === state.conversationId && action.conversationId !== null) return state;
      return {
        ...initialChatState,
        conversationId: action.conversationId,
        conversation: action.conversation ?? null,
        loading: action.conversationId !== null,
      };
    case 'loaded': {
      if (action.conversation.id !== state.conversationId) return state;
      const { messages, systemPrompt, hasMore = false, ...summary } = action.conversation;
      // A reload mid-turn (after a reconnect) keeps streaming what is still in the list.
      const ids = new Set(messages.map((m) => m.id));
      const streaming = new Set([...state.streaming].filter((id) => ids.has(id)));
      return { ...state, conversation: summary, systemPrompt, messages, streaming, hasMore, loading: false };
    }
    case 'older': {
      if (action.page.id !== state.conversationId) return state;
      // Whatever arrived meanwhile (a reload) is kept; the page only adds what is not shown yet.
      const shown = new Set(state.messages.map((m) => m.id));
      const older = action.page.messages.filter((m) => !shown.has(m.id));
      return { ...state, messages: [...older, ...state.messages], hasMore: action.page.hasMore };
    }
    case 'older-failed':
      // Not asked again on every scroll: opening the conversation again (or a reconnect) starts over.
      return { ...state, hasMore: false, error: action.error };
    case 'summary':
      if (action.conversation.id !== state.conversationId) return state;
      return { ...state, conversation: action.conversation, systemPrompt: action.systemPrompt ?? state.systemPrompt };
    case 'events':
      return action.events.reduce(applyEvent, state);
    case 'turn-started':
      return { ...state, awaiting: true, running: true, error: null };
    case 'turn-failed':
      return { ...state, awaiting: false, running: false, error: action.error };
    case 'stopped':
      return { ...state, awaiting: false, running: false, streaming: EMPTY };
    case 'edit': {
      // The host answers an edit by replacing everything after that message;
      // showing that now keeps the stream that follows in the right place.
      const i = state.messages.findIndex((m) => m.id === action.messageId);
      if (i < 0) return state;
      const edited = { ...state.messages[i]!, content: action.text };
      return { ...state, messages: [...state.messages.slice(0, i), edited] };
    }
    case 'drop-last-reply': {
      let end = state.messages.length;
      while (end > 0 && state.messages[end - 1]!.role !== 'user') end--;
      return end === state.messages.length ? state : { ...state, messages: state.messages.slice(0, end) };
    }
    case 'tool-decided':
      return {
        ...state,
        messages: state.messages.map((m) =>
          m.toolCalls?.some((c) => c.id === action.callId)
            ? {
                ...m,
                toolCalls: m.toolCalls.map((c) => (c.id === action.callId ? { ...c, status: action.approve ? 'approved' : 'denied' } : c)),
              }
            : m,
        ),
      };
    case 'error':
      return { ...state, error: action.error };
    case 'dismiss-error':
      return { ...state, error: null };
  }
}

/** The list with one conversation's new summary in it (added or replaced), most recently updated first, as the host sorts it. */
export function withSummary(list: readonly ConversationSummary[], s: ConversationSummary): readonly ConversationSummary[] {
  return [s, ...list.filter((c) => c.id !== s.id)].sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0));
}

function applyEvent(state: ChatState, e: ChatEvent): ChatState {
  if (e.type === 'conversation' || e.type === 'conversation-deleted' || e.conversationId !== state.conversationId) return state;
  switch (e.type) {
    case 'message': {
      if (e.message.role !== 'assistant') return { ...state, messages: upsert(state.messages, e.message) };
      // An assistant message without stats is a draft the tokens will fill;
      // with stats it is finished (a step that asked for tools, say).
      const draft = !e.message.stats && !e.message.partial && !e.message.error;
      const streaming = draft ? withId(state.streaming, e.message.id) : withoutId(state.streaming, e.message.id);
      return { ...state, messages: upsert(state.messages, e.message), streaming, awaiting: false, running: true };
    }
    case 'token': {
      const i = state.messages.findIndex((m) => m.id === e.messageId);
      const messages =
        i < 0
          ? // Tokens before their message: start one rather than lose them.
            [...state.messages, { id: e.messageId, role: 'assistant' as const, content: e.text, createdAt: new Date().toISOString() }]
          : replaceAt(state.messages, i, { ...state.messages[i]!, content: state.messages[i]!.content + e.text });
      return { ...state, messages, streaming: withId(state.streaming, e.messageId), awaiting: false, running: true };
    }
    case 'tool-call': {
      const i = state.messages.findIndex((m) => m.id === e.messageId);
      if (i < 0) return state;
      const m = state.messages[i]!;
      return { ...state, messages: replaceAt(state.messages, i, { ...m, toolCalls: upsertCall(m.toolCalls ?? [], e.call) }) };
    }
    case 'done':
      // One 'done' ends the turn (after any tool steps): nothing streams any more.
      return { ...state, messages: upsert(state.messages, e.message), streaming: EMPTY, awaiting: false, running: false };
    case 'error': {
      const messages =
        e.messageId === null
          ? state.messages
          : state.messages.map((m) => (m.id === e.messageId ? { ...m, partial: true, error: e.error } : m));
      return { ...state, messages, streaming: EMPTY, awaiting: false, running: false, error: e.error };
    }
  }
}

function upsert(list: readonly ChatMessage[], m: ChatMessage): readonly ChatMessage[] {
  const i = list.findIndex((x) => x.id === m.id);
  return i < 0 ? [...list, m] : replaceAt(list, i, m);
}

function upsertCall(list: readonly ToolCall[], c: ToolCall): readonly ToolCall[] {
  const i = list.findIndex((x) => x.id === c.id);
  return i < 0 ? [...list, c] : list.map((x, j) => (j === i ? c : x));
}

function replaceAt<T>(list: readonly T[], i: number, v: T): readonly T[] {
  const out = list.slice();
  out[i] = v;
  return out;
}

function withId(set: ReadonlySet<string>, id: string): ReadonlySet<string> {
  if (set.has(id)) return set;
  const out = new Set(set);
  out.add(id);
  return out;
}

function withoutId(set: ReadonlySet<string>, id: string): ReadonlySet<string> {
  if (!set.has(id)) return set;
  const out = new Set(set);
  out.delete(id);
  return out;
}
