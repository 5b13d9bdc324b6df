import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StreamPart, StreamRequest } from '../../src-main/providers/llm.js';
import { OpenAIProvider } from '../../src-main/providers/openai.js';
import { VegaError } from '../../src-shared/errors.js';
import { tempEngine, type TempEngine } from '../helpers/engine.js';
import { startOpenAIStandIn, type OpenAIStandIn, type OpenAIStandInOptions } from '../helpers/openai-standin.js';
import { eventually } from '../helpers/servers.js';

let engine: TempEngine | undefined;
let server: OpenAIStandIn | undefined;

afterEach(async () => {
  await engine?.dispose();
  await server?.close();
  engine = server = undefined;
});

const KEY = 'sk-test-0123456789abcdef';
const MODEL = 'qwen2.5-7b-instruct';

async function setup(opts: OpenAIStandInOptions = {}, extraEnv = ''): Promise<{ p: OpenAIProvider; s: OpenAIStandIn; e: TempEngine }> {
  server = await startOpenAIStandIn({ apiKey: KEY, ...opts });
  engine = await tempEngine({ envText: `OPENAI_BASE_URL=${server.url}\nOPENAI_API_KEY=${KEY}\n${extraEnv}` });
  return { p: new OpenAIProvider(engine.rm), s: server, e: engine };
}

const hi = (over: Partial<StreamRequest> = {}): StreamRequest => ({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], ...over });

async function run(it: AsyncIterable<StreamPart>): Promise<{ parts: StreamPart[]; error?: VegaError }> {
  const parts: StreamPart[] = [];
  try {
    for await (const p of it) parts.push(p);
    return { parts };
  } catch (err) {
    expect(err).toBeInstanceOf(VegaError);
    return { parts, error: err as VegaError };
  }
}

const text = (parts: StreamPart[]) => parts.map((p) => (p.type === 'token' ? p.text : '')).join('');

describe('OpenAI-compatible provider', () => {
  it('streams SSE cut at odd places (mid-event, mid-UTF-8) with the Bearer key, and reports usage', async () => {
    const reply = 'Ça va? Très bien — 谢谢 🚀 done';
    const { p, s } = await setup({ splitChunks: true, tokenDelayMs: 1, reply: () => reply });
    const { parts, error } = await run(p.stream(hi({ requestId: 'req-oai' })));
    expect(error).toBeUndefined();
    expect(text(parts)).toBe(reply);
    const done = parts.at(-1);
    expect(done?.type).toBe('done');
    if (done?.type === 'done') {
      expect(done.stats.evalTokens).toBe(reply.split(' ').length);
      expect(done.stats.promptTokens).toBeGreaterThan(0);
    }
    const r = s.requests.find((x) => x.path === '/v1/chat/completions');
    expect(r?.headers?.authorization).toBe(`Bearer ${KEY}`);
    expect(r?.headers?.['x-request-id']).toBe('req-oai');
    expect(r?.body).toMatchObject({ model: MODEL, stream: true, messages: [{ role: 'user', content: 'hi' }] });
  });

  it('a wrong key → PROVIDER_ERROR naming OPENAI_API_KEY, never the key itself', async () => {
    server = await startOpenAIStandIn({ apiKey: KEY });
    engine = await tempEngine({ envText: `OPENAI_BASE_URL=${server.url}\nOPENAI_API_KEY=sk-wrong-key-123456\n` });
    const p = new OpenAIProvider(engine.rm);
    const { error } = await run(p.stream(hi()));
    expect(error?.code).toBe('PROVIDER_ERROR');
    expect(error?.message).toMatch(/OPENAI_API_KEY/);
    expect(error?.message).not.toContain('sk-wrong-key-123456');
    // The server answered, so it is reachable; the error says what is wrong.
    const h = await p.health(2_000);
    expect(h.reachable).toBe(true);
    expect(h.lastError).toMatch(/refused the key/);
  });

  it('an unknown model → MODEL_NOT_FOUND; a 500 → PROVIDER_ERROR with the server text', async () => {
    const { p, s } = await setup();
    expect((await run(p.stream(hi({ model: 'gpt-9' })))).error?.code).toBe('MODEL_NOT_FOUND');
    s.set({ failNext: { status: 500, error: 'CUDA out of memory' } });
    const { error } = await run(p.stream(hi()));
    expect(error?.code).toBe('PROVIDER_ERROR');
    expect(error?.message).toContain('CUDA out of memory');
  });

  it('not configured → a clear CONFIG_INVALID, and health says not configured', async () => {
    engine = await tempEngine({ envText: '' });
    const p = new OpenAIProvider(engine.rm);
    const { error } = await run(p.stream(hi()));
    expect(error?.code).toBe('CONFIG_INVALID');
    expect(error?.message).toMatch(/OPENAI_BASE_URL/);
    expect(await p.health(2_000)).toMatchObject({ id: 'openai', configured: false, reachable: false });
  });

  it('server down → PROVIDER_UNREACHABLE naming the URL', async () => {
    const { p, s } = await setup();
    await s.stop();
    const { error } = await run(p.stream(hi()));
    expect(error?.code).toBe('PROVIDER_UNREACHABLE');
    expect(error?.message).toContain(s.url);
  });

  it('lists models and probes health with latency', async () => {
    const { p } = await setup({ models: [MODEL, 'llama-3.1-8b'] });
    expect((await p.models()).map((m) => m.name)).toEqual([MODEL, 'llama-3.1-8b']);
    const h = await p.health(2_000);
    expect(h).toMatchObject({ configured: true, reachable: true });
    expect(h.latencyMs).not.toBeNull();
  });

  it('assembles streamed tool calls', async () => {
    const { p, s } = await setup();
    s.set({ toolCalls: [{ name: 'lookup', arguments: { q: 'Vega' } }] });
    const { parts } = await run(p.stream(hi({ tools: [{ name: 'lookup', description: 'Look up', parameters: { type: 'object' } }] })));
    const calls = parts.find((x) => x.type === 'tool-calls');
    expect(calls).toMatchObject({ type: 'tool-calls', calls: [{ name: 'lookup', arguments: { q: 'Vega' } }] });
  });

  it('a server that stalls between tokens → TIMEOUT after the tokens that came', async () => {
    const { p, s } = await setup({ reply: () => 'a b c d' }, 'VEGA_LLM_TIMEOUT_S=1\n');
    s.set({ stallAfterTokens: 2 });
    const stalled = await run(p.stream(hi()));
    expect(stalled.error?.code).toBe('TIMEOUT');
    expect(stalled.error?.message).toMatch(/stopped sending its answer/);
    expect(text(stalled.parts)).toBe('a b');
  });

  it('an abort ends the stream at once with ABORTED and nothing left running', async () => {
    const { p, s, e } = await setup({ tokenDelayMs: 30, reply: () => 'z '.repeat(100) });
    const ac = new AbortController();
    const { parts, error } = await run(
      (async function* () {
        for await (const part of p.stream(hi({ signal: ac.signal }))) {
          yield part;
          if (part.type === 'token') ac.abort();
        }
      })(),
    );
    expect(error?.code).toBe('ABORTED');
    expect(text(parts)).toBe('z');
    const origin = new URL(s.url).origin;
    await eventually(() => e.rm.origins().find((o) => o.origin === origin)?.pool.running === 0, 2_000, 'nothing running');
  });

  it('the API key never reaches the log file', async () => {
    const { p, e } = await setup();
    await run(p.stream(hi()));
    await run(p.stream(hi({ model: 'nope' })));
    e.rm.logger.info({ apiKeyProbe: KEY }, `probe ${KEY}`);
    await e.rm.shutdown();
    const dir = path.join(e.rm.dataDir, 'logs');
    const log = readdirSync(dir)
      .map((f) => readFileSync(path.join(dir, f), 'utf8'))
      .join('');
    expect(log.length).toBeGreaterThan(0);
    expect(log).not.toContain(KEY);
  });
});
