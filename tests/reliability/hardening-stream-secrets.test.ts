import type http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVegaApp, type VegaApp } from '../../src-main/app/create-app.js';
import { StreamScrubber } from '../../src-main/chat/stream-scrub.js';
import { SecretScrubber } from '../../src-main/engine/logger.js';
import { startWebHost, type WebHost } from '../../src-main/web/host.js';
import type { ChatEvent } from '../../src-shared/chat.js';
import { HEAVY, until } from '../helpers/fault-kit.js';
import { json, startStandIn, type StandIn } from '../helpers/integration-standins.js';
import { connectApi } from '../helpers/ws-client.js';

// Issue 15, item 4: a secret the model streams in pieces, each piece a
// separate event 100 ms apart, reaches neither the window nor POST /chat; a
// tool result that echoes a secret does not reach the model.

const KEY = 'hardening-stream-key-0d9e1f';
const HA_TOKEN = 'VGMARK-ha-token-4c1d2e3f5a6b';
const MODEL_PIECES = ['The token is ', 'VGMARK-ha', '-token-4c1', 'd2e3f5a6b', ' and that is all.'];

let dir = '';
let app: VegaApp;
let host: WebHost;
let llm: StandIn;
let ha: StandIn;
/** The next /api/chat answer calls this tool once. */
let nextToolCall: string | undefined;

/** An Ollama-like /api/chat that streams MODEL_PIECES as separate NDJSON lines, 100 ms apart. */
function streamPieces(res: http.ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  const line = (o: unknown) => res.write(`${JSON.stringify(o)}\n`);
  if (nextToolCall) {
    line({
      model: 'llama3.2',
      message: { role: 'assistant', content: '', tool_calls: [{ function: { name: nextToolCall, arguments: {} } }] },
      done: false,
    });
    nextToolCall = undefined;
    res.end(`${JSON.stringify({ model: 'llama3.2', message: { role: 'assistant', content: '' }, done: true, done_reason: 'stop' })}\n`);
    return;
  }
  let i = 0;
  const t = setInterval(() => {
    if (i < MODEL_PIECES.length)
      return void line({ model: 'llama3.2', message: { role: 'assistant', content: MODEL_PIECES[i++] }, done: false });
    clearInterval(t);
    res.end(
      `${JSON.stringify({ model: 'llama3.2', message: { role: 'assistant', content: '' }, done: true, done_reason: 'stop', eval_count: MODEL_PIECES.length })}\n`,
    );
  }, 100);
  res.on('close', () => clearInterval(t));
}

beforeAll(async () => {
  llm = await startStandIn({ 'POST /api/chat': (_req, res) => streamPieces(res) });
  ha = await startStandIn({
    'GET /api/': (_req, res) => json(res, 200, { message: 'API running.' }),
    // A device whose name echoes the token it was set up with.
    'GET /api/states': (_req, res) =>
      json(res, 200, [{ entity_id: 'sensor.echo', state: 'ok', attributes: { friendly_name: `Echo of ${HA_TOKEN}` } }]),
  });
  dir = mkdtempSync(path.join(os.tmpdir(), 'vega-hardening-stream-'));
  writeFileSync(
    path.join(dir, '.env'),
    `VEGA_API_KEY=${KEY}\nOLLAMA_HOST=${llm.url}\nHOME_ASSISTANT_URL=${ha.url}\nHOME_ASSISTANT_TOKEN=${HA_TOKEN}\n`,
  );
  app = await createVegaApp({ host: 'web', envFile: path.join(dir, '.env'), env: { VEGA_DATA_DIR: path.join(dir, 'data') } });
  host = await startWebHost({ app, port: 0, host: '127.0.0.1' });
}, 30_000);

afterAll(async () => {
  await host?.close();
  await app?.rm.shutdown();
  await Promise.all([llm?.close(), ha?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('4. secrets split across streamed tokens, and echoed by tools', () => {
  it('property: however a text is cut into pieces, the pieces scrubbed as they come equal the whole text scrubbed', () => {
    // A three-letter alphabet, so that secrets overlap, contain each other and recur.
    const word = (min: number, max: number) => fc.string({ unit: fc.constantFrom('x', 'y', 'z'), minLength: min, maxLength: max });
    fc.assert(
      fc.property(fc.array(word(4, 9), { minLength: 1, maxLength: 4 }), word(0, 60), fc.array(fc.nat(60)), (secrets, text, cuts) => {
        const scrubber = new SecretScrubber();
        scrubber.set(secrets);
        const stream = new StreamScrubber(
          (t) => scrubber.scrub(t),
          (t) => scrubber.streamCut(t),
        );
        const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
        let out = '';
        let from = 0;
        for (const p of [...points, text.length]) {
          out += stream.push(text.slice(from, p));
          from = p;
        }
        out += stream.end();
        expect(out).toBe(scrubber.scrub(text));
        for (const s of secrets) expect(out).not.toContain(s);
      }),
      { numRuns: HEAVY ? 5_000 : 1_000, seed: 15 },
    );
    // Text that cannot be the start of a secret goes at once: the stream is not delayed.
    const scrubber = new SecretScrubber();
    scrubber.set([HA_TOKEN]);
    expect(
      new StreamScrubber(
        (t) => scrubber.scrub(t),
        (t) => scrubber.streamCut(t),
      ).push('A pool keeps connections '),
    ).toBe('A pool keeps connections ');
  });

  it('the window receives the answer scrubbed, though the secret came in three pieces 100 ms apart', async () => {
    const c = await connectApi(host.url, KEY);
    const events: ChatEvent[] = [];
    c.api.chat.onEvent((e) => events.push(e));
    try {
      const conv = await c.api.chat.create({ title: 'split' });
      await c.api.chat.send({ conversationId: conv.id, text: 'say the token' });
      await until(() => events.some((e) => e.type === 'done'), 10_000, 'the answer');
      const streamed = events.filter((e) => e.type === 'token').map((e) => (e as { text: string }).text);
      expect(streamed.length).toBeGreaterThan(1);
      expect(streamed.join('')).not.toContain('VGMARK');
      expect(streamed.join('')).toBe('The token is [redacted] and that is all.');
    } finally {
      await c.close();
    }
  });

  it('POST /chat streams it scrubbed too', async () => {
    const res = await request(`${host.url}/chat`, {
      method: 'POST',
      headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'say the token', stream: true }),
    });
    const lines = (await res.body.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { response: string; done: boolean });
    expect(lines.filter((l) => !l.done).length).toBeGreaterThan(1);
    expect(lines.map((l) => l.response).join('')).not.toContain('VGMARK');
  });

  it('a tool result that echoes a secret is scrubbed before the model reads it', async () => {
    nextToolCall = 'home_assistant_list_entities';
    const conv = await app.chat.service.create({ title: 'echo' });
    await app.chat.service.send(conv.id, 'list my devices');
    await app.chat.service.running(conv.id)?.done;
    const asked = llm.requests.filter((r) => r.path === '/api/chat');
    const last = JSON.parse(asked.at(-1)!.body) as { messages: { role: string; content: string }[] };
    const toolMessage = last.messages.find((m) => m.role === 'tool');
    expect(toolMessage?.content).toContain('Echo of [redacted]');
    expect(asked.map((r) => r.body).join('\n')).not.toContain(HA_TOKEN);
  });
});
