import { describe, expect, it } from 'vitest';
import { coalesceTokens } from '../../src-main/chat/coalesce.js';
import type { ChatEvent, ChatMessage } from '../../src-shared/chat.js';

const tok = (text: string, messageId = 'm1'): ChatEvent => ({ type: 'token', conversationId: 'c1', messageId, text });
const msg = { id: 'm1', role: 'assistant', content: 'abc', createdAt: '' } as ChatMessage;
const tick = () => new Promise((r) => setImmediate(r));

describe('coalesceTokens', () => {
  it('joins the tokens of one loop turn into one event', async () => {
    const out: ChatEvent[] = [];
    const emit = coalesceTokens((e) => out.push(e));
    emit(tok('a'));
    emit(tok('b'));
    emit(tok('c'));
    expect(out).toEqual([]);
    await tick();
    expect(out).toEqual([tok('abc')]);
    emit(tok('d'));
    await tick();
    expect(out).toEqual([tok('abc'), tok('d')]);
  });

  it('keeps order: other events flush the held tokens first', () => {
    const out: ChatEvent[] = [];
    const emit = coalesceTokens((e) => out.push(e));
    emit(tok('a'));
    emit(tok('b'));
    emit({ type: 'done', conversationId: 'c1', message: msg });
    expect(out).toEqual([tok('ab'), { type: 'done', conversationId: 'c1', message: msg }]);
  });

  it('never joins tokens of different messages', async () => {
    const out: ChatEvent[] = [];
    const emit = coalesceTokens((e) => out.push(e));
    emit(tok('a', 'm1'));
    emit(tok('b', 'm2'));
    emit(tok('c', 'm2'));
    await tick();
    expect(out).toEqual([tok('a', 'm1'), tok('bc', 'm2')]);
  });
});
