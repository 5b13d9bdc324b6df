import { describe, expect, it } from 'vitest';
import type { ChatEvent } from '../../src-shared/chat.js';
import { chatReducer, initialChatState, isBusy, type ChatState } from '../../src-renderer/chat/chat-state.js';
import { message, summary } from './fake-api.js';

function opened(...msgs: ReturnType<typeof message>[]): ChatState {
  const s = chatReducer(initialChatState, { type: 'open', conversationId: 'c1' });
  return chatReducer(s, { type: 'loaded', conversation: { ...summary('c1'), messages: msgs } });
}

const ev = (s: ChatState, ...events: ChatEvent[]) => chatReducer(s, { type: 'events', events });

describe('chat state', () => {
  it('a turn is busy from the request until its done, through a tool step', () => {
    let s = chatReducer(opened(message('u1', 'user', 'turn on the light')), { type: 'turn-started' });
    expect(s.awaiting).toBe(true);
    expect(isBusy(s)).toBe(true);
    s = ev(s, { type: 'message', conversationId: 'c1', message: message('a1', 'assistant', '') });
    expect(s.awaiting).toBe(false);
    expect([...s.streaming]).toEqual(['a1']);
    // The step that asks for a tool is finished (it has stats) but the turn goes on.
    s = ev(s, {
      type: 'message',
      conversationId: 'c1',
      message: message('a1', 'assistant', '', {
        stats: { evalTokens: 3 },
        toolCalls: [{ id: 't1', name: 'light', arguments: {}, needsConfirmation: true, status: 'pending' }],
      }),
    });
    expect(s.streaming.size).toBe(0);
    expect(isBusy(s)).toBe(true);
    s = chatReducer(s, { type: 'tool-decided', callId: 't1', approve: false });
    expect(s.messages.find((m) => m.id === 'a1')?.toolCalls?.[0]?.status).toBe('denied');
    s = ev(
      s,
      { type: 'message', conversationId: 'c1', message: message('t-res', 'tool', 'denied', { toolCallId: 't1' }) },
      { type: 'message', conversationId: 'c1', message: message('a2', 'assistant', '') },
      { type: 'token', conversationId: 'c1', messageId: 'a2', text: 'OK, I will not.' },
      { type: 'done', conversationId: 'c1', message: message('a2', 'assistant', 'OK, I will not.', { stats: { tokensPerSecond: 10 } }) },
    );
    expect(isBusy(s)).toBe(false);
    expect(s.messages.map((m) => m.id)).toEqual(['u1', 'a1', 't-res', 'a2']);
  });

  it("an error ends the turn, marks the message and keeps its text; the 'done' after it replaces it", () => {
    let s = opened(message('u1', 'user', 'hi'));
    s = ev(
      s,
      { type: 'message', conversationId: 'c1', message: message('a1', 'assistant', '') },
      { type: 'token', conversationId: 'c1', messageId: 'a1', text: 'Hal' },
    );
    const error = { code: 'PROVIDER_UNREACHABLE' as const, message: 'Ollama is not reachable' };
    s = ev(s, { type: 'error', conversationId: 'c1', messageId: 'a1', error });
    expect(s.error).toEqual(error);
    expect(isBusy(s)).toBe(false);
    expect(s.messages[1]).toMatchObject({ content: 'Hal', partial: true, error });
  });

  it('tokens that arrive before their message start one', () => {
    const s = ev(opened(), { type: 'token', conversationId: 'c1', messageId: 'a9', text: 'early' });
    expect(s.messages).toMatchObject([{ id: 'a9', role: 'assistant', content: 'early' }]);
  });

  it('edit replaces the text and drops what followed; regenerate drops the last answer', () => {
    const base = opened(
      message('u1', 'user', 'one'),
      message('a1', 'assistant', 'A1'),
      message('u2', 'user', 'two'),
      message('a2', 'assistant', 'A2'),
    );
    const edited = chatReducer(base, { type: 'edit', messageId: 'u1', text: 'uno' });
    expect(edited.messages.map((m) => [m.id, m.content])).toEqual([['u1', 'uno']]);
    const regen = chatReducer(base, { type: 'drop-last-reply' });
    expect(regen.messages.map((m) => m.id)).toEqual(['u1', 'a1', 'u2']);
  });

  it('ignores events of other conversations and of none', () => {
    const s = opened(message('u1', 'user', 'hi'));
    expect(ev(s, { type: 'token', conversationId: 'c2', messageId: 'u1', text: 'x' })).toBe(s);
    const none = chatReducer(initialChatState, { type: 'open', conversationId: null });
    expect(ev(none, { type: 'message', conversationId: 'c1', message: message('m', 'user', 'x') }).messages).toEqual([]);
  });

  it('a late load of a conversation no longer open is dropped', () => {
    const s = chatReducer(opened(), { type: 'open', conversationId: 'c2' });
    expect(chatReducer(s, { type: 'loaded', conversation: { ...summary('c1'), messages: [message('z', 'user', 'stale')] } })).toBe(s);
  });

  it('older pages go before the messages shown, oldest first, without doubles; hasMore follows the last page', () => {
    const first = chatReducer(chatReducer(initialChatState, { type: 'open', conversationId: 'c1' }), {
      type: 'loaded',
      conversation: { ...summary('c1'), messages: [message('m3', 'user', '3'), message('m4', 'assistant', '4')], hasMore: true },
    });
    let s = first;
    expect(s.hasMore).toBe(true);
    // m3 again: a message saved while the page was asked for is not shown twice.
    const page = (ids: string[], hasMore: boolean) => ({ ...summary('c1'), messages: ids.map((id) => message(id, 'user', id)), hasMore });
    s = chatReducer(s, { type: 'older', page: page(['m1', 'm2', 'm3'], true) });
    expect(s.messages.map((m) => m.id)).toEqual(['m1', 'm2', 'm3', 'm4']);
    expect(s.hasMore).toBe(true);
    s = chatReducer(s, { type: 'older', page: page(['m0'], false) });
    expect(s.messages.map((m) => m.id)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    expect(s.hasMore).toBe(false);
    // A page of a conversation no longer open changes nothing.
    expect(chatReducer(s, { type: 'older', page: { ...page(['x'], false), id: 'c2' } })).toBe(s);
    // A failed page is not asked for again on every scroll; the error is shown.
    const failed = chatReducer(first, { type: 'older-failed', error: { code: 'INTERNAL', message: 'no' } });
    expect(failed).toMatchObject({ hasMore: false, error: { code: 'INTERNAL' } });
  });
});
