import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVegaApp, type VegaApp } from '../../src-main/app/create-app.js';
import { startWebHost, type WebHost } from '../../src-main/web/host.js';
import type { ChatEvent } from '../../src-shared/chat.js';
import { until, within } from '../helpers/fault-kit.js';
import { defaultReply, startOllamaStandIn, type OllamaStandIn } from '../helpers/ollama-standin.js';
import { stalledWebSocket } from '../helpers/raw-http.js';
import { connectApi } from '../helpers/ws-client.js';

// Issue 15, item 2: the conversation list must not make memory grow without
// bound. Events carry one conversation's change, never the list; summaries
// carry no system prompt; a socket that stops reading is dropped once its
// unsent data passes a bound, whatever the event. Figures (RSS, create time)
// are in bench/conversation-flood.ts, not asserted here.

const KEY = 'hardening-conv-key-71c2a0';
const PROMPT = `Answer as a pirate. ${'Arr, matey. '.repeat(1_600)}`;
const EXISTING = 60;

let dir = '';
let app: VegaApp;
let host: WebHost;
let ollama: OllamaStandIn;

beforeAll(async () => {
  ollama = await startOllamaStandIn();
  dir = mkdtempSync(path.join(os.tmpdir(), 'vega-hardening-conv-'));
  writeFileSync(path.join(dir, '.env'), `VEGA_API_KEY=${KEY}\nOLLAMA_HOST=${ollama.url}\n`);
  app = await createVegaApp({ host: 'web', envFile: path.join(dir, '.env'), env: { VEGA_DATA_DIR: path.join(dir, 'data') } });
  host = await startWebHost({ app, port: 0, host: '127.0.0.1' });
  for (let i = 0; i < EXISTING; i++) await app.chat.service.create({ title: `Existing ${i}`, systemPrompt: PROMPT });
}, 60_000);

afterAll(async () => {
  await host?.close();
  await app?.rm.shutdown();
  await ollama?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('2. conversation changes, not the whole list', () => {
  it('a create, an update, a turn and a delete each send that one conversation, without its system prompt', async () => {
    const c = await connectApi(host.url, KEY);
    const events: ChatEvent[] = [];
    let bytes = 0;
    c.ws.on('message', (d) => (bytes += (d as Buffer).length));
    c.api.chat.onEvent((e) => events.push(e));
    try {
      const created = await c.api.chat.create({ title: 'Fresh', systemPrompt: PROMPT });
      await until(() => events.some((e) => e.type === 'conversation' && e.conversationId === created.id), 5_000, 'the create event');
      const afterCreate = bytes;
      await c.api.chat.update({ conversationId: created.id, title: 'Renamed' });
      await c.api.chat.send({ conversationId: created.id, text: 'hello' });
      await until(() => events.some((e) => e.type === 'done'), 10_000, 'the answer');
      await until(() => events.some((e) => e.type === 'conversation' && e.summary.messageCount === 2), 5_000, 'the end-of-turn change');
      await c.api.chat.delete({ conversationId: created.id });
      await until(
        () => events.some((e) => e.type === 'conversation-deleted' && e.conversationId === created.id),
        5_000,
        'the delete event',
      );

      const changes = events.filter((e) => e.type === 'conversation' || e.type === 'conversation-deleted');
      expect(changes.every((e) => e.conversationId === created.id)).toBe(true);
      expect(changes.map((e) => (e.type === 'conversation' ? e.summary.title : 'deleted'))).toEqual(
        expect.arrayContaining(['Fresh', 'Renamed', 'deleted']),
      );
      expect(JSON.stringify(events)).not.toContain('Arr, matey');
      expect(events.some((e) => 'conversations' in e)).toBe(false);
      // The create's reply and event together, with 60 conversations of 20 KB prompts in the store.
      expect(afterCreate).toBeLessThan(4_000);
    } finally {
      await c.close();
    }
  });

  it('chat:list answers summaries without system prompts; chat:get carries the prompt of the one conversation opened', async () => {
    const c = await connectApi(host.url, KEY);
    try {
      const list = await c.api.chat.list();
      expect(list.length).toBeGreaterThanOrEqual(EXISTING);
      expect(JSON.stringify(list)).not.toContain('Arr, matey');
      expect(list.every((s) => !('systemPrompt' in s))).toBe(true);
      expect((await c.api.chat.get({ conversationId: list[0]!.id })).systemPrompt).toBe(PROMPT);
    } finally {
      await c.close();
    }
  });
});

describe('2. every socket has a bound on what waits to be sent to it', () => {
  it('a socket that stops reading is dropped once an answer streams past the bound; a reading window gets it all', async () => {
    const reader = await connectApi(host.url, KEY);
    const stalled = await stalledWebSocket(host.port, KEY);
    const listeners = () => app.events.listenerCount('chat:event');
    try {
      await until(() => listeners() === 2, 5_000, 'both sockets subscribed');
      // One long answer in 100 KB tokens: 16 MB, four times the bound.
      const word = 'x'.repeat(100_000);
      ollama.set({ reply: () => Array.from({ length: 160 }, () => word).join(' ') });
      const conv = await reader.api.chat.create({ title: 'Long answer' });
      let received = 0;
      reader.api.chat.onEvent((e) => {
        if (e.type === 'token' && e.conversationId === conv.id) received += e.text.length;
      });
      await reader.api.chat.send({ conversationId: conv.id, text: 'go' });
      await within(60_000, Promise.resolve(app.chat.service.running(conv.id)?.done), 'the long answer');
      await until(() => listeners() === 1, 10_000, 'the stalled socket dropped');
      await until(() => received >= 160 * 100_000, 20_000, 'the reader received the whole answer');
    } finally {
      ollama.set({ reply: defaultReply });
      stalled.destroy();
      await reader.close();
    }
  });
});
