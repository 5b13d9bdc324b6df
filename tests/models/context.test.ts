import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { VegaApi } from '../../src-shared/api.js';
import { HistoryStore } from '../../src-main/chat/store.js';
import { fitToBudget } from '../../src-main/models/context-window.js';
import type { LlmMessage } from '../../src-main/providers/llm.js';
import { eventually } from '../helpers/servers.js';
import { tempEngine } from '../helpers/engine.js';
import { modelsHarness, type ModelsHarness } from './harness.js';

let h: ModelsHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const said = (role: LlmMessage['role'], words: number): LlmMessage => ({ role, content: 'word '.repeat(words) });

describe('fitToBudget', () => {
  it('drops whole turns from the oldest, keeping the system prompt and the last turn', () => {
    const history = [
      said('system', 10),
      said('user', 100),
      said('assistant', 100),
      said('user', 100),
      said('assistant', 100),
      said('user', 100),
    ];
    const all = fitToBudget(history, 10_000);
    expect(all).toMatchObject({ dropped: 0 });
    expect(all.messages).toHaveLength(6);
    const fitted = fitToBudget(history, 400);
    expect(fitted.dropped).toBe(2);
    expect(fitted.messages.map((m) => m.role)).toEqual(['system', 'user']);
    // Even a budget too small for the last turn keeps it: the model still gets the question.
    expect(fitToBudget(history, 1).messages.map((m) => m.role)).toEqual(['system', 'user']);
  });

  it('never separates a tool call from its result', () => {
    const call: LlmMessage = { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'look', arguments: {} }] };
    const history = [
      said('user', 200),
      call,
      { role: 'tool', content: 'result '.repeat(50), toolCallId: 'c1' } as LlmMessage,
      said('assistant', 50),
      said('user', 20),
    ];
    const fitted = fitToBudget(history, 100);
    expect(fitted.messages.map((m) => m.role)).toEqual(['user']);
    expect(fitToBudget(history, 1_000).messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant', 'user']);
  });
});

async function answer(api: VegaApi, conversationId: string, text: string): Promise<void> {
  let done = false;
  const off = api.chat.onEvent((e) => {
    if (e.type === 'done' && e.conversationId === conversationId) done = true;
  });
  await api.chat.send({ conversationId, text });
  await eventually(() => done, 10_000, 'the answer');
  off();
}

describe('a conversation and its context window', () => {
  it('sends its num_ctx to Ollama, and resetNumCtx goes back to the model default', async () => {
    h = await modelsHarness({ models: ['llama3.2'] });
    const c = await h.api.chat.create({ model: 'llama3.2' });
    expect((await h.api.chat.update({ conversationId: c.id, numCtx: 16_384 })).numCtx).toBe(16_384);
    await answer(h.api, c.id, 'hello');
    const chats = () => h!.ollama.requests.filter((r) => r.path === '/api/chat').map((r) => r.body as { options?: { num_ctx?: number } });
    expect(chats().at(-1)?.options).toEqual({ num_ctx: 16_384 });
    expect((await h.api.chat.update({ conversationId: c.id, resetNumCtx: true })).numCtx).toBeUndefined();
    await answer(h.api, c.id, 'again');
    expect(chats().at(-1)?.options).toBeUndefined();
    for (const numCtx of [0, 100, 1.5, 1e9])
      await expect(h.api.chat.update({ conversationId: c.id, numCtx })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('"drop the oldest turns" sends only what fits the window; the history itself keeps everything', async () => {
    h = await modelsHarness({ models: ['llama3.2'] });
    h.ollama.set({ show: { contextLength: 512 }, reply: () => 'ok '.repeat(300) });
    const c = await h.api.chat.create({ model: 'llama3.2', systemPrompt: 'Be brief.' });
    for (const q of ['first question', 'second question', 'third question']) await answer(h.api, c.id, q);
    const before = h.ollama.requests.filter((r) => r.path === '/api/chat').at(-1)?.body as { messages: { role: string }[] };
    expect(before.messages.filter((m) => m.role === 'user')).toHaveLength(3);

    expect((await h.api.chat.update({ conversationId: c.id, overflow: 'drop-oldest' })).overflow).toBe('drop-oldest');
    await answer(h.api, c.id, 'fourth question');
    const sent = h.ollama.requests.filter((r) => r.path === '/api/chat').at(-1)?.body as { messages: { role: string; content: string }[] };
    expect(sent.messages[0]).toEqual({ role: 'system', content: 'Be brief.' });
    expect(sent.messages.at(-1)).toEqual({ role: 'user', content: 'fourth question' });
    expect(sent.messages.filter((m) => m.role === 'user').length).toBeLessThan(4);
    expect((await h.api.chat.get({ conversationId: c.id })).messages.filter((m) => m.role === 'user')).toHaveLength(4);
  });

  it('a history written before these settings existed still opens, without them', async () => {
    const engine = await tempEngine();
    try {
      const dir = path.join(engine.dir, 'conversations');
      mkdirSync(dir, { recursive: true });
      const header = {
        type: 'header',
        v: 1,
        id: 'old1',
        title: 'Old',
        model: 'llama3.2',
        provider: 'ollama',
        systemPrompt: '',
        createdAt: '2024-05-01T00:00:00.000Z',
      };
      const msg = {
        type: 'message',
        id: 'm1',
        at: '2024-05-01T00:00:01.000Z',
        message: { id: 'm1', role: 'user', content: 'hi', createdAt: '2024-05-01T00:00:01.000Z' },
      };
      writeFileSync(path.join(dir, 'old1.jsonl'), `${JSON.stringify(header)}\n${JSON.stringify(msg)}\n`);
      const store = await HistoryStore.open(dir, engine.rm.logger);
      const conv = (await store.load('old1')).conversation();
      expect(conv).toMatchObject({ title: 'Old', messageCount: 1 });
      expect('numCtx' in conv || 'overflow' in conv).toBe(false);
      await store.flush();
    } finally {
      await engine.dispose();
    }
  });
});
