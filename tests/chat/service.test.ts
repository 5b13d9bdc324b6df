import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { chatHandlers } from '../../src-main/app/handlers/chat.js';
import { dispatchCall } from '../../src-main/app/router.js';
import type { ChatEvent, ChatMessage } from '../../src-shared/chat.js';
import { eventually } from '../helpers/servers.js';
import { startOpenAIStandIn, type OpenAIStandIn } from '../helpers/openai-standin.js';
import { chatHarness, collect, type ChatHarness } from './harness.js';

let h: ChatHarness | undefined;
let oai: OpenAIStandIn | undefined;

afterEach(async () => {
  await h?.dispose();
  await oai?.close();
  h = oai = undefined;
});

const ofType = <T extends ChatEvent['type']>(events: ChatEvent[], type: T) =>
  events.filter((e): e is Extract<ChatEvent, { type: T }> => e.type === type);

function lastChatBody(hh: ChatHarness): { messages: { role: string; content: string }[]; tools?: unknown } {
  return hh.ollama.requests.filter((r) => r.path === '/api/chat').at(-1)!.body as { messages: { role: string; content: string }[] };
}

describe('ChatService: a turn', () => {
  it('send returns the assistant id at once, streams token events, saves the answer with stats', async () => {
    h = await chatHarness({ ollama: { tokenDelayMs: 5 } });
    const { service } = h.chat;
    const c = await service.create();
    expect(c.title).toBe('New chat');
    const { messageId } = await service.send(c.id, 'Hello there, Vega!');
    const final = await h.done(c.id);
    expect(final.id).toBe(messageId);
    expect(final.content).toBe('You said: Hello there, Vega!');
    expect(final.partial).toBeUndefined();
    expect(final.stats?.evalTokens).toBe(5);
    expect(final.stats?.ttftMs).toBeGreaterThan(0);
    expect(final.stats?.tokensPerSecond).toBeGreaterThan(0);
    expect(final.stats?.promptTokens).toBeGreaterThan(0);

    // The turn's own events; the list's change events ('conversation') come alongside.
    const mine = h.events.filter((e) => e.conversationId === c.id && e.type !== 'conversation');
    const kinds = mine.map((e) => e.type);
    expect(kinds[0]).toBe('message'); // the user's
    expect(kinds[1]).toBe('message'); // the empty assistant message tokens go into
    expect(kinds.filter((k) => k === 'token')).toHaveLength(5);
    expect(kinds.at(-1)).toBe('done');
    expect(
      ofType(h.events, 'token')
        .map((e) => e.text)
        .join(''),
    ).toBe(final.content);
    expect(ofType(h.events, 'token').every((e) => e.messageId === messageId)).toBe(true);

    const conv = await service.get(c.id);
    expect(conv.messages.map((m) => [m.role, m.content])).toEqual([
      ['user', 'Hello there, Vega!'],
      ['assistant', 'You said: Hello there, Vega!'],
    ]);
    expect(conv.title).toBe('Hello there, Vega!');
    const llm = h.engine.rm.llm.stats();
    expect(llm.turns).toBe(1);
    expect(llm.failed).toBe(0);
    expect(llm.tokens).toBe(5);
    expect(llm.lastTokensPerSecond).toBeGreaterThan(0);
    expect(ofType(h.events, 'conversation').filter((e) => e.conversationId === c.id).length).toBeGreaterThan(0);
  });

  it('titles a conversation from the first ~60 characters of the first message, unless one was given', async () => {
    h = await chatHarness();
    const { service } = h.chat;
    const a = await service.create();
    await service.send(a.id, 'Please explain how the undici connection pool decides when to open a new socket for an origin');
    await h.done(a.id);
    const title = (await service.get(a.id)).title;
    expect(title.length).toBeLessThanOrEqual(61);
    expect(title).toMatch(/^Please explain how the undici connection pool decides when…$/);
    const b = await service.create({ title: 'Pool notes' });
    await service.send(b.id, 'something else');
    await h.done(b.id);
    expect((await service.get(b.id)).title).toBe('Pool notes');
  });

  it('stop keeps the partial answer (partial: true) and the next message works', async () => {
    h = await chatHarness({ ollama: { tokenDelayMs: 25, reply: () => 'one two three four five six seven eight nine ten eleven twelve' } });
    const { service } = h.chat;
    const c = await service.create();
    const { messageId } = await service.send(c.id, 'count');
    await eventually(() => ofType(h!.events, 'token').length >= 3, 3_000, 'three tokens');
    expect(await service.stop(c.id)).toEqual({ stopped: true });
    const saved = (await service.get(c.id)).messages.find((m) => m.id === messageId)!;
    expect(saved.partial).toBe(true);
    expect(saved.error).toBeUndefined();
    expect(saved.content.startsWith('one two three')).toBe(true);
    expect(saved.content.length).toBeLessThan('one two three four five six seven eight nine ten eleven twelve'.length);
    expect(ofType(h.events, 'done').at(-1)?.message).toEqual(saved);
    expect(ofType(h.events, 'error')).toHaveLength(0);
    expect(await service.stop(c.id)).toEqual({ stopped: false });

    h.ollama.set({ tokenDelayMs: 0, reply: undefined });
    h.ollama.set({ reply: (m) => `next: ${m.at(-1)?.content}` });
    await service.send(c.id, 'again');
    const next = await h.done(c.id);
    expect(next.content).toBe('next: again');
    // The model saw the partial answer as part of the history.
    expect(lastChatBody(h).messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
  });

  it('a stream that fails mid-way keeps the partial answer with the error; the next message works', async () => {
    h = await chatHarness({ envText: 'VEGA_LLM_TIMEOUT_S=1\n', ollama: { reply: () => 'alpha beta gamma delta' } });
    const { service } = h.chat;
    const c = await service.create();
    h.ollama.set({ stallAfterTokens: 2 });
    const { messageId } = await service.send(c.id, 'go');
    const failed = await h.done(c.id, 5_000);
    expect(failed.id).toBe(messageId);
    expect(failed.content).toBe('alpha beta');
    expect(failed.partial).toBe(true);
    expect(failed.error?.code).toBe('TIMEOUT');
    const errors = ofType(h.events, 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ conversationId: c.id, messageId, error: { code: 'TIMEOUT' } });
    expect(h.engine.rm.llm.stats().failed).toBe(1);

    h.ollama.set({ stallAfterTokens: undefined });
    await service.send(c.id, 'go again');
    expect((await h.done(c.id)).content).toBe('alpha beta gamma delta');
    expect((await service.get(c.id)).messages).toHaveLength(4);
  });

  it('Ollama down: the answer fails with PROVIDER_UNREACHABLE; once it is back the conversation goes on', async () => {
    h = await chatHarness();
    const { service } = h.chat;
    const c = await service.create();
    await h.ollama.stop();
    await service.send(c.id, 'anyone?');
    const failed = await h.done(c.id);
    expect(failed.error).toEqual({
      code: 'PROVIDER_UNREACHABLE',
      message: `Ollama is not reachable at ${h.ollama.url} — start it with 'ollama serve'`,
    });
    expect(failed.content).toBe('');
    expect(failed.partial).toBe(true);
    await h.ollama.start();
    await service.send(c.id, 'now?');
    expect((await h.done(c.id)).content).toBe('You said: now?');
    // The empty failed answer is not sent to the model.
    expect(lastChatBody(h).messages.map((m) => m.content)).toEqual(['anyone?', 'now?']);
  });

  it('a missing model fails with MODEL_NOT_FOUND and the pull command', async () => {
    h = await chatHarness();
    const c = await h.chat.service.create({ model: 'mistral' });
    await h.chat.service.send(c.id, 'hi');
    expect((await h.done(c.id)).error).toEqual({
      code: 'MODEL_NOT_FOUND',
      message: `Model "mistral" is not installed — run 'ollama pull mistral'`,
    });
  });

  it('refuses a second send while an answer runs', async () => {
    h = await chatHarness({ ollama: { tokenDelayMs: 30 } });
    const c = await h.chat.service.create();
    await h.chat.service.send(c.id, 'first message here');
    await expect(h.chat.service.send(c.id, 'second')).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await h.done(c.id);
  });

  it('regenerate replaces the last answer; edit truncates after the edited message and answers again', async () => {
    let n = 0;
    h = await chatHarness({ ollama: { reply: (m) => `answer ${++n} to ${m.filter((x) => x.role === 'user').at(-1)?.content}` } });
    const { service } = h.chat;
    const c = await service.create({ systemPrompt: 'Be brief.' });
    await service.send(c.id, 'first');
    await h.done(c.id);
    await service.send(c.id, 'second');
    await h.done(c.id);
    const before = await service.get(c.id);
    expect(before.messages.map((m) => m.content)).toEqual(['first', 'answer 1 to first', 'second', 'answer 2 to second']);

    const { messageId: regenId } = await service.regenerate(c.id);
    const regen = await h.done(c.id);
    expect(regen.id).toBe(regenId);
    expect((await service.get(c.id)).messages.map((m) => m.content)).toEqual([
      'first',
      'answer 1 to first',
      'second',
      'answer 3 to second',
    ]);
    expect(lastChatBody(h).messages.map((m) => m.content)).toEqual(['Be brief.', 'first', 'answer 1 to first', 'second']);

    const firstUser = before.messages[0]!;
    await service.edit(c.id, firstUser.id, 'first, edited');
    await h.done(c.id);
    const after = await service.get(c.id);
    expect(after.messages.map((m) => m.content)).toEqual(['first, edited', 'answer 4 to first, edited']);
    expect(after.messages[0]!.id).toBe(firstUser.id);
    expect(lastChatBody(h).messages.map((m) => m.content)).toEqual(['Be brief.', 'first, edited']);
    await expect(service.edit(c.id, after.messages[1]!.id, 'x')).rejects.toMatchObject({ code: 'BAD_REQUEST' });

    // The file only grew: the old answers are still in it, dropped by records.
    const file = readFileSync(path.join(h.engine.rm.dataDir, 'conversations', `${c.id}.jsonl`), 'utf8');
    expect(file).toContain('answer 2 to second');
    expect(file).toContain('"type":"truncate"');
    expect(file).toContain('"type":"edit"');
  });

  it('the conversation continues after a restart: the model receives the earlier messages', async () => {
    h = await chatHarness();
    const c = await h.chat.service.create({ title: 'Before restart', systemPrompt: 'sys' });
    await h.chat.service.send(c.id, 'remember 42');
    await h.done(c.id);
    const again = await h.restart();
    const list = again.chat.service.list();
    expect(list.map((x) => [x.id, x.title, x.messageCount])).toEqual([[c.id, 'Before restart', 2]]);
    await again.chat.service.send(c.id, 'what number?');
    const turn = again.chat.service.running(c.id)!;
    const final = await turn.done;
    expect(final.content).toBe('You said: what number?');
    expect(lastChatBody(h).messages).toEqual([
      { role: 'system', content: 'sys' },
      { role: 'user', content: 'remember 42' },
      { role: 'assistant', content: 'You said: remember 42' },
      { role: 'user', content: 'what number?' },
    ]);
  });

  it('shutdown mid-answer saves the partial answer before the pool closes', async () => {
    h = await chatHarness({ ollama: { tokenDelayMs: 30, reply: () => 'w '.repeat(200) } });
    const c = await h.chat.service.create();
    const { messageId } = await h.chat.service.send(c.id, 'long one');
    await eventually(() => ofType(h!.events, 'token').length >= 2, 3_000, 'tokens');
    const report = await h.engine.rm.shutdown();
    expect(report.filter((r) => r.phase === 'llm').every((r) => r.ok)).toBe(true);
    await eventually(() => h!.ollama.open() === 0, 3_000, 'no sockets left');
    const file = readFileSync(path.join(h.engine.rm.dataDir, 'conversations', `${c.id}.jsonl`), 'utf8');
    const rec = file
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; message?: ChatMessage })
      .find((r) => r.message?.id === messageId);
    expect(rec?.message?.partial).toBe(true);
    expect(rec?.message?.content.length).toBeGreaterThan(0);
  });
});

describe('ChatService: complete() for POST /chat', () => {
  it('streams tokens, resolves done, and a conversationId continues the conversation (also after a restart)', async () => {
    h = await chatHarness({ ollama: { tokenDelayMs: 2 } });
    const first = await h.chat.service.complete({ prompt: 'ping', requestId: 'http-1' });
    expect(await collect(first)).toEqual(['You', ' said:', ' ping']);
    const msg = await first.done;
    expect(msg).toMatchObject({ id: first.messageId, content: 'You said: ping', requestId: 'http-1' });
    expect(h.ollama.requests.at(-1)?.headers?.['x-request-id']).toBe('http-1');

    const again = await h.restart();
    const second = await again.chat.service.complete({ prompt: 'pong', conversationId: first.conversationId });
    expect((await collect(second)).join('')).toBe('You said: pong');
    expect(second.conversationId).toBe(first.conversationId);
    expect(lastChatBody(h).messages.map((m) => m.content)).toEqual(['ping', 'You said: ping', 'pong']);
  });

  it('an abort signal stops the answer and keeps the partial text; a failure throws from the iterator', async () => {
    h = await chatHarness({ ollama: { tokenDelayMs: 20, reply: () => 'a b c d e f g h i j k l m n o p' } });
    const ac = new AbortController();
    const comp = await h.chat.service.complete({ prompt: 'x', signal: ac.signal });
    const got: string[] = [];
    for await (const t of comp) {
      got.push(t);
      if (got.length === 3) ac.abort();
    }
    const m = await comp.done;
    expect(m.partial).toBe(true);
    expect(m.content.startsWith(got.join(''))).toBe(true);

    h.ollama.set({ failNext: { status: 500, error: 'boom from ollama' } });
    const bad = await h.chat.service.complete({ prompt: 'y', conversationId: comp.conversationId });
    await expect(collect(bad)).rejects.toMatchObject({ code: 'PROVIDER_ERROR', message: expect.stringContaining('boom from ollama') });
    expect((await bad.done).error?.code).toBe('PROVIDER_ERROR');
  });
});

describe('ChatService: OpenAI-compatible conversations', () => {
  it("the conversation's provider picks the OpenAI stand-in, streaming over SSE", async () => {
    oai = await startOpenAIStandIn({ apiKey: 'sk-abc-123456', tokenDelayMs: 2, splitChunks: true });
    h = await chatHarness({ envText: `OPENAI_BASE_URL=${oai.url}\nOPENAI_API_KEY=sk-abc-123456\n` });
    const c = await h.chat.service.create({ provider: 'openai', model: 'qwen2.5-7b-instruct' });
    await h.chat.service.send(c.id, 'über');
    const final = await h.done(c.id);
    expect(final).toMatchObject({ content: 'You said: über', provider: 'openai', model: 'qwen2.5-7b-instruct' });
    expect(final.stats?.evalTokens).toBe(3);
    expect(h.ollama.requests.filter((r) => r.path === '/api/chat')).toHaveLength(0);
    expect((await h.chat.service.models('openai')).map((m) => m.name)).toEqual(['qwen2.5-7b-instruct']);
  });
});

describe('the chat handlers and the providers report', () => {
  it('every chat:* call works through the router with validated params', async () => {
    h = await chatHarness();
    const handlers = chatHandlers(h.chat.service) as unknown as Parameters<typeof dispatchCall>[0];
    const call = async (ch: string, p: unknown) => {
      const r = await dispatchCall(handlers, ch, p, { host: 'web', requestId: 'rid-1' });
      if (!r.ok) throw Object.assign(new Error(r.error.message), r.error);
      return r.value as never;
    };
    const c: { id: string } = await call('chat:create', { title: 'Via router' });
    const sent: { messageId: string } = await call('chat:send', { conversationId: c.id, text: 'hello' });
    expect(sent.messageId).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    await h.done(c.id);
    expect(h.ollama.requests.at(-1)?.headers?.['x-request-id']).toBe('rid-1');
    expect(await call('chat:list', { query: 'router' })).toHaveLength(1);
    expect(await call('chat:list', { query: 'nothing like it' })).toHaveLength(0);
    const upd: { title: string; model: string } = await call('chat:update', {
      conversationId: c.id,
      title: 'Renamed',
      model: 'qwen2.5:7b',
    });
    expect(upd).toMatchObject({ title: 'Renamed', model: 'qwen2.5:7b' });
    const ex: { filename: string; content: string } = await call('chat:export', { conversationId: c.id, format: 'markdown' });
    expect(ex.filename).toMatch(/^renamed-\d{4}-\d{2}-\d{2}\.md$/);
    expect(ex.content).toContain('## You\n\nhello');
    expect(((await call('chat:models', { provider: 'ollama' })) as { name: string }[]).map((m) => m.name)).toEqual(['llama3.2:latest']);
    expect(await call('chat:confirmTool', { conversationId: c.id, callId: 'nope', approve: true })).toEqual({ ok: false });
    expect(await call('chat:stop', { conversationId: c.id })).toEqual({ stopped: false });
    expect(await call('chat:delete', { conversationId: c.id })).toEqual({ deleted: true });
    await expect(call('chat:get', { conversationId: c.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(call('chat:send', { conversationId: 'bad id!', text: 'x' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('providers() reports health, latency and loaded models, and stays bounded when Ollama is down', async () => {
    h = await chatHarness();
    const c = await h.chat.service.create();
    await h.chat.service.send(c.id, 'load the model');
    await h.done(c.id);
    const up = await h.chat.providers();
    expect(up.providers.map((p) => [p.id, p.configured, p.reachable])).toEqual([
      ['ollama', true, true],
      ['openai', false, false],
    ]);
    expect(up.providers[0]!.latencyMs).not.toBeNull();
    expect(up.loadedModels.map((m) => m.name)).toEqual(['llama3.2:latest']);
    await h.ollama.stop();
    const down = await h.chat.providers();
    expect(down.providers[0]).toMatchObject({
      reachable: false,
      lastError: `Ollama is not reachable at ${h.ollama.url} — start it with 'ollama serve'`,
    });
    expect(down.loadedModels).toEqual([]);
  });
});
