import { readFileSync } from 'node:fs';
import path from 'node:path';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatEvent, ChatMessage } from '../../src-shared/chat.js';
import { chatHarness, type ChatHarness } from '../chat/harness.js';
import { RAW_TRANSPORT_TEXT, within } from '../helpers/fault-kit.js';
import { eventually } from '../helpers/servers.js';
import { startOllamaStandIn, tokenize, type OllamaStandIn } from '../helpers/ollama-standin.js';
import { tempWebHost, type TempWebHost } from '../helpers/web.js';
import { connectApi } from '../helpers/ws-client.js';

// Ollama goes away and comes back while Vega keeps running: the person gets a
// clear error, whatever had arrived is kept and marked, and the next message
// works — on the same engine, pool and process (no restart).

const LONG_PROMPT = 'one two three four five six seven eight nine ten eleven twelve';
/** What arrives before the stand-in stalls after three tokens. */
const CUT3 = tokenize(`You said: ${LONG_PROMPT}`).slice(0, 3).join('');

let h: ChatHarness | undefined;
let w: TempWebHost | undefined;
let ollama: OllamaStandIn | undefined;
afterEach(async () => {
  await w?.dispose();
  await ollama?.close();
  await h?.dispose();
  h = w = ollama = undefined;
});

function tokensOf(events: ChatEvent[], messageId: string): string {
  return events
    .filter((e): e is Extract<ChatEvent, { type: 'token' }> => e.type === 'token' && e.messageId === messageId)
    .map((e) => e.text)
    .join('');
}

function expectClear(m: ChatMessage, code: string): void {
  expect(m.error?.code).toBe(code);
  expect(m.error?.message).not.toMatch(RAW_TRANSPORT_TEXT);
  expect(m.partial).toBe(true);
}

describe('Ollama down, down mid-stream, back: through the ChatService', () => {
  it('down at start → clear error; back → the same conversation goes on; mid-stream → partial kept and marked; back → works', async () => {
    h = await chatHarness();
    const { service } = h.chat;
    const rm = h.engine.rm;
    await h.ollama.stop();

    // 1. Down before the first message.
    const c = await service.create({ title: 'faults' });
    const first = await service.send(c.id, 'first');
    const m1 = await h.done(c.id);
    expect(m1.id).toBe(first.messageId);
    expectClear(m1, 'PROVIDER_UNREACHABLE');
    expect(m1.error?.message).toContain(h.ollama.url);
    expect(m1.error?.message).toContain('ollama serve');
    expect(m1.content).toBe('');
    const down = await h.chat.providers();
    expect(down.providers.find((p) => p.id === 'ollama')).toMatchObject({ reachable: false });

    // 2. Back: the next message in the same conversation works.
    await h.ollama.start();
    await service.send(c.id, 'second');
    const m2 = await h.done(c.id);
    expect(m2).toMatchObject({ role: 'assistant', content: 'You said: second' });
    expect(m2.partial).toBeUndefined();
    expect(m2.error).toBeUndefined();
    expect((await h.chat.providers()).providers.find((p) => p.id === 'ollama')).toMatchObject({ reachable: true });

    // 3. Down in the middle of an answer: three tokens arrive, then Ollama dies.
    h.ollama.set({ stallAfterTokens: 3 });
    const third = await service.send(c.id, LONG_PROMPT);
    await eventually(() => tokensOf(h!.events, third.messageId) === CUT3, 5_000, 'three tokens');
    await h.ollama.stop();
    const m3 = await h.done(c.id);
    expectClear(m3, 'PROVIDER_ERROR');
    expect(m3.error?.message).toMatch(/in the middle of the answer/);
    expect(m3.content).toBe(tokensOf(h.events, third.messageId));
    expect(m3.content).toBe(CUT3);
    const errorEvent = h.events.find((e) => e.type === 'error' && e.messageId === third.messageId);
    expect(errorEvent).toMatchObject({ error: { code: 'PROVIDER_ERROR' } });

    // The partial answer is on disk, marked, with its error.
    const file = readFileSync(path.join(rm.dataDir, 'conversations', `${c.id}.jsonl`), 'utf8');
    const saved = file
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { message?: ChatMessage })
      .find((r) => r.message?.id === third.messageId)?.message;
    expect(saved).toMatchObject({ content: CUT3, partial: true, error: { code: 'PROVIDER_ERROR' } });

    // 4. Back again: the conversation goes on.
    h.ollama.set({ stallAfterTokens: undefined });
    await h.ollama.start();
    await service.send(c.id, 'fourth');
    const m4 = await h.done(c.id);
    expect(m4).toMatchObject({ content: 'You said: fourth' });
    expect(m4.partial).toBeUndefined();

    const conv = await service.get(c.id);
    expect(conv.messages.map((m) => [m.role, m.content, m.partial ?? false])).toEqual([
      ['user', 'first', false],
      ['assistant', '', true],
      ['user', 'second', false],
      ['assistant', 'You said: second', false],
      ['user', LONG_PROMPT, false],
      ['assistant', CUT3, true],
      ['user', 'fourth', false],
      ['assistant', 'You said: fourth', false],
    ]);
    // No restart: the one pool the whole way, nothing left running.
    expect(rm.stats().httpClientsCreated).toBe(1);
    expect(rm.stats().httpInFlight).toBe(0);
    expect(rm.health().status).toBe('healthy');
  });

  it('down while 10 conversations stream at once: each keeps its own partial answer, and all go on afterwards', async () => {
    h = await chatHarness({ ollama: { tokenDelayMs: 5 } });
    const { service } = h.chat;
    h.ollama.set({ stallAfterTokens: 2 });
    const convs = await Promise.all(Array.from({ length: 10 }, (_, i) => service.create({ title: `c${i}` })));
    const sent = await Promise.all(convs.map((c, i) => service.send(c.id, `${LONG_PROMPT} ${i}`)));
    await eventually(() => sent.every((s) => tokensOf(h!.events, s.messageId) === 'You said:'), 5_000, 'two tokens each');
    await h.ollama.stop();
    const cut = await Promise.all(convs.map((c) => h!.done(c.id)));
    for (const m of cut) {
      expectClear(m, 'PROVIDER_ERROR');
      expect(m.content).toBe('You said:');
    }
    h.ollama.set({ stallAfterTokens: undefined });
    await h.ollama.start();
    await Promise.all(convs.map((c, i) => service.send(c.id, `again ${i}`)));
    const again = await Promise.all(convs.map((c) => h!.done(c.id)));
    again.forEach((m, i) => expect(m).toMatchObject({ content: `You said: again ${i}` }));
    expect(h.engine.rm.stats().httpInFlight).toBe(0);
  });
});

describe('Ollama down, down mid-stream, back: through the web host', () => {
  async function post(body: unknown): Promise<{ status: number; text: string }> {
    const res = await request(`${w!.host.url}/chat`, {
      method: 'POST',
      headers: { 'x-api-key': w!.key, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.statusCode, text: await res.body.text() };
  }

  it('POST /chat: 503 with the fix while down, partial NDJSON then a typed error line mid-stream, 200 when back — one process', async () => {
    ollama = await startOllamaStandIn();
    w = await tempWebHost(`OLLAMA_HOST=${ollama.url}\n`);
    await ollama.stop();

    const down = await post({ prompt: 'hello' });
    expect(down.status).toBe(503);
    const err = JSON.parse(down.text) as { error: { code: string; message: string } };
    expect(err.error.code).toBe('PROVIDER_UNREACHABLE');
    expect(err.error.message).toContain('ollama serve');
    expect(err.error.message).not.toMatch(RAW_TRANSPORT_TEXT);

    await ollama.start();
    const up = await post({ prompt: 'hello' });
    expect(up.status).toBe(200);
    const answer = JSON.parse(up.text) as { response: string; conversation_id: string };
    expect(answer.response).toBe('You said: hello');

    // Mid-stream: the stand-in sends three tokens and stalls; then it goes down.
    ollama.set({ stallAfterTokens: 3 });
    const res = await request(`${w.host.url}/chat`, {
      method: 'POST',
      headers: { 'x-api-key': w.key, 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: LONG_PROMPT, conversation_id: answer.conversation_id, stream: true }),
    });
    expect(res.statusCode).toBe(200);
    let text = '';
    const reading = (async () => {
      for await (const chunk of res.body) text += String(chunk);
    })();
    await eventually(
      () =>
        text
          .split('\n')
          .slice(0, -1)
          .filter(Boolean)
          .map((l) => (JSON.parse(l) as { response: string }).response)
          .join('') === CUT3,
      5_000,
      'three tokens',
    );
    await ollama.stop();
    await within(5_000, reading, 'the NDJSON stream to end');
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const last = lines.at(-1)!;
    expect(last).toMatchObject({ done: true, conversation_id: answer.conversation_id, error: { code: 'PROVIDER_ERROR' } });
    expect(String((last.error as { message: string }).message)).not.toMatch(RAW_TRANSPORT_TEXT);
    expect(
      lines
        .slice(0, -1)
        .map((l) => l.response)
        .join(''),
    ).toBe(CUT3);

    // The partial answer is stored, marked, in the same conversation.
    const api = await connectApi(w.host.url, w.key);
    const conv = await api.api.chat.get({ conversationId: answer.conversation_id });
    expect(conv.messages.at(-1)).toMatchObject({ role: 'assistant', content: CUT3, partial: true, error: { code: 'PROVIDER_ERROR' } });

    // Back again: the conversation continues through the WebSocket and through POST /chat.
    ollama.set({ stallAfterTokens: undefined });
    await ollama.start();
    const again = await post({ prompt: 'and now?', conversation_id: answer.conversation_id });
    expect(again.status).toBe(200);
    expect(JSON.parse(again.text)).toMatchObject({ response: 'You said: and now?', partial: false });
    const done = new Promise<ChatMessage>((resolve) =>
      api.api.chat.onEvent((e) => e.type === 'done' && e.conversationId === answer.conversation_id && resolve(e.message)),
    );
    await api.api.chat.send({ conversationId: answer.conversation_id, text: 'over the socket' });
    expect(await within(5_000, done, 'the answer over the socket')).toMatchObject({ content: 'You said: over the socket' });
    await api.close();
    expect(w.app.rm.stats().httpClientsCreated).toBe(1);
    expect(w.app.rm.health().status).toBe('healthy');
  });
});
