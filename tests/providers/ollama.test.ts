import { afterEach, describe, expect, it } from 'vitest';
import { OllamaProvider } from '../../src-main/providers/ollama.js';
import type { StreamPart, StreamRequest } from '../../src-main/providers/llm.js';
import { VegaError } from '../../src-shared/errors.js';
import { tempEngine, type TempEngine } from '../helpers/engine.js';
import { startOllamaStandIn, type OllamaStandIn, type OllamaStandInOptions } from '../helpers/ollama-standin.js';
import { eventually, startCountingServer, type CountingServer } from '../helpers/servers.js';

let engine: TempEngine | undefined;
let ollama: OllamaStandIn | undefined;
let blackhole: CountingServer | undefined;

afterEach(async () => {
  await engine?.dispose();
  await ollama?.close();
  await blackhole?.close();
  engine = ollama = blackhole = undefined;
});

async function setup(opts: OllamaStandInOptions = {}, envText = ''): Promise<{ p: OllamaProvider; s: OllamaStandIn; e: TempEngine }> {
  ollama = await startOllamaStandIn(opts);
  engine = await tempEngine({ envText: `OLLAMA_HOST=${ollama.url}\n${envText}` });
  return { p: new OllamaProvider(engine.rm), s: ollama, e: engine };
}

const hi = (over: Partial<StreamRequest> = {}): StreamRequest => ({
  model: 'llama3.2',
  messages: [{ role: 'user', content: 'hi' }],
  ...over,
});

async function drain(it: AsyncIterable<StreamPart>): Promise<StreamPart[]> {
  const parts: StreamPart[] = [];
  for await (const p of it) parts.push(p);
  return parts;
}

async function failure(it: AsyncIterable<StreamPart>, parts: StreamPart[] = []): Promise<VegaError> {
  try {
    for await (const p of it) parts.push(p);
  } catch (err) {
    expect(err).toBeInstanceOf(VegaError);
    return err as VegaError;
  }
  throw new Error('the stream did not fail');
}

const text = (parts: StreamPart[]) => parts.map((p) => (p.type === 'token' ? p.text : '')).join('');

describe('OllamaProvider streaming', () => {
  it('reassembles tokens from chunks cut mid-line and mid-UTF-8 character, then reports done stats', async () => {
    const reply = 'Grüße aus Köln — naïve café 😀 日本語 ok';
    const { p } = await setup({ splitChunks: true, tokenDelayMs: 2, reply: () => reply });
    const parts = await drain(p.stream(hi()));
    const tokens = parts.filter((x) => x.type === 'token');
    expect(tokens.length).toBe(reply.split(' ').length);
    expect(text(parts)).toBe(reply);
    const done = parts.at(-1);
    expect(done?.type).toBe('done');
    if (done?.type !== 'done') return;
    expect(done.stats.evalTokens).toBe(tokens.length);
    expect(done.stats.promptTokens).toBeGreaterThan(0);
    expect(done.stats.evalMs).toBeGreaterThan(0);
    expect(done.stats.doneReason).toBe('stop');
  });

  it('yields each token as it arrives, not at the end', async () => {
    const { p } = await setup({ tokenDelayMs: 40, reply: () => 'one two three four five' });
    const seen: number[] = [];
    const start = performance.now();
    for await (const part of p.stream(hi())) if (part.type === 'token') seen.push(performance.now() - start);
    expect(seen).toHaveLength(5);
    // Tokens 40 ms apart on the wire arrive spread out, the first well before the last.
    expect(seen[4]! - seen[0]!).toBeGreaterThan(100);
  });

  it('sends the model, messages, tools and x-request-id as Ollama expects', async () => {
    const { p, s } = await setup();
    await drain(
      p.stream(
        hi({ requestId: 'req-123', tools: [{ name: 'lookup', description: 'Look up', parameters: { type: 'object', properties: {} } }] }),
      ),
    );
    const r = s.requests.find((x) => x.path === '/api/chat');
    expect(r?.headers?.['x-request-id']).toBe('req-123');
    expect(r?.body).toMatchObject({
      model: 'llama3.2',
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
      tools: [{ type: 'function', function: { name: 'lookup' } }],
    });
  });

  it('returns tool calls from a tool-call response', async () => {
    const { p, s } = await setup({ splitChunks: true });
    s.set({ toolCalls: [{ name: 'get_weather', arguments: { city: 'Zürich' } }] });
    const parts = await drain(p.stream(hi({ tools: [{ name: 'get_weather', description: 'Weather', parameters: { type: 'object' } }] })));
    expect(parts.find((x) => x.type === 'tool-calls')).toEqual({
      type: 'tool-calls',
      calls: [{ name: 'get_weather', arguments: { city: 'Zürich' } }],
    });
    expect(parts.at(-1)?.type).toBe('done');
  });

  it('a model that is not installed → MODEL_NOT_FOUND with the pull command', async () => {
    const { p } = await setup({ models: ['llama3.2'] });
    const err = await failure(p.stream(hi({ model: 'mistral' })));
    expect(err.code).toBe('MODEL_NOT_FOUND');
    expect(err.message).toBe(`Model "mistral" is not installed — run 'ollama pull mistral'`);
  });

  it("a 500 → PROVIDER_ERROR carrying Ollama's own error text", async () => {
    const { p, s } = await setup();
    s.set({ failNext: { status: 500, error: 'llama runner process has terminated: signal: killed' } });
    const err = await failure(p.stream(hi()));
    expect(err.code).toBe('PROVIDER_ERROR');
    expect(err.message).toContain('llama runner process has terminated: signal: killed');
    // The next call works: the error body was consumed and the socket reused.
    expect(text(await drain(p.stream(hi())))).toBe('You said: hi');
  });

  it('Ollama down → PROVIDER_UNREACHABLE naming the URL and the fix; back up → works again', async () => {
    const { p, s } = await setup();
    await s.stop();
    const err = await failure(p.stream(hi()));
    expect(err.code).toBe('PROVIDER_UNREACHABLE');
    expect(err.message).toBe(`Ollama is not reachable at ${s.url} — start it with 'ollama serve'`);
    await s.start();
    expect(text(await drain(p.stream(hi())))).toBe('You said: hi');
  });

  it('a server that stalls before the first token → TIMEOUT at VEGA_LLM_TIMEOUT_S', async () => {
    const { p, s } = await setup({}, 'VEGA_LLM_TIMEOUT_S=1\n');
    s.set({ stallBeforeFirstToken: true });
    const start = performance.now();
    const err = await failure(p.stream(hi()));
    const ms = performance.now() - start;
    expect(err.code).toBe('TIMEOUT');
    expect(err.message).toMatch(/within 1 s.*VEGA_LLM_TIMEOUT_S/);
    // Timers fire late on a busy machine, never early: a lower bound cannot flake.
    expect(ms).toBeGreaterThan(900);
  });

  it('a server that stalls between tokens → TIMEOUT, after the tokens that came', async () => {
    const { p, s } = await setup({ reply: () => 'a b c d e f' }, 'VEGA_LLM_TIMEOUT_S=1\n');
    s.set({ stallAfterTokens: 2 });
    const parts: StreamPart[] = [];
    const err = await failure(p.stream(hi()), parts);
    expect(err.code).toBe('TIMEOUT');
    expect(err.message).toMatch(/stopped sending its answer for 1 s/);
    expect(text(parts)).toBe('a b');
  });

  it('the LLM timeout replaces the shorter integration timeout for chat calls', async () => {
    // 1 s for integrations; a 1.5 s pause between tokens must still be fine for the LLM (5 s).
    const { p } = await setup({ tokenDelayMs: 1_500, reply: () => 'slow reply' }, 'VEGA_HTTP_TIMEOUT_S=1\nVEGA_LLM_TIMEOUT_S=5\n');
    expect(text(await drain(p.stream(hi())))).toBe('slow reply');
  });

  it('an abort stops the stream at once, with ABORTED', async () => {
    const { p, s } = await setup({ tokenDelayMs: 50, reply: () => 'w '.repeat(100) });
    const ac = new AbortController();
    const parts: StreamPart[] = [];
    const err = await failure(
      (async function* () {
        for await (const part of p.stream(hi({ signal: ac.signal }))) {
          yield part;
          if (parts.length === 2) ac.abort();
        }
      })(),
      parts,
    );
    expect(err.code).toBe('ABORTED');
    // At once: no token after the abort, and the stand-in sees its answer closed in the middle.
    expect(parts).toHaveLength(2);
    await eventually(() => s.hungUp() === 1, 5_000, 'the stand-in to see the answer closed');
    expect(p.inFlight).toBe(0);
  });

  it('100 streams aborted mid-way leave no open sockets beyond the idle ones and nothing running', async () => {
    const { p, s, e } = await setup({ tokenDelayMs: 20, reply: () => 'tok '.repeat(200) });
    const runs = Array.from({ length: 100 }, async (_, i) => {
      const ac = new AbortController();
      let n = 0;
      try {
        for await (const part of p.stream(hi({ signal: ac.signal, requestId: `r${i}` }))) {
          if (part.type === 'token' && ++n === 3) ac.abort();
        }
      } catch (err) {
        return (err as VegaError).code;
      }
      return 'finished';
    });
    const codes = await Promise.all(runs);
    expect(codes.every((c) => c === 'ABORTED')).toBe(true);
    expect(p.inFlight).toBe(0);
    // An aborted response's socket is closed. undici 7.30 then opens one spare
    // connection for that client, which the pool holds idle ("free") for the
    // next request: every socket the server still sees must be such an idle one.
    await eventually(
      () => {
        const o = e.rm.origins().find((x) => x.origin === s.url);
        return o !== undefined && o.pool.running === 0 && o.inFlight === 0 && s.open() <= o.pool.free;
      },
      3_000,
      'only idle pool sockets left',
    );
    expect(s.accepted()).toBeLessThanOrEqual(200);
    // And the pool still serves: a full stream after the storm.
    s.set({ tokenDelayMs: 0 });
    expect(text(await drain(p.stream(hi())))).toBe('tok '.repeat(200));
  });

  it('a consumer that breaks out early releases the request', async () => {
    const { p, s, e } = await setup({ tokenDelayMs: 20, reply: () => 'x '.repeat(100) });
    for await (const part of p.stream(hi())) if (part.type === 'token') break;
    expect(p.inFlight).toBe(0);
    await eventually(
      () => {
        const o = e.rm.origins().find((x) => x.origin === s.url);
        return o !== undefined && o.pool.running === 0 && s.open() <= o.pool.free;
      },
      3_000,
      'the stream socket to close',
    );
    expect(s.requests.filter((r) => r.path === '/api/chat')).toHaveLength(1);
  });

  it('abortAll (the llm cleanup phase) ends every stream', async () => {
    const { p } = await setup({ tokenDelayMs: 50, reply: () => 'y '.repeat(100) });
    const runs = [0, 1, 2].map(() => failure(p.stream(hi())));
    await eventually(() => p.inFlight === 3, 2_000, 'streams to start');
    p.abortAll();
    expect((await Promise.all(runs)).map((e) => e.code)).toEqual(['ABORTED', 'ABORTED', 'ABORTED']);
  });

  it('reads OLLAMA_HOST on every call: a changed .env applies after invalidate', async () => {
    const { p, e } = await setup();
    const other = await startOllamaStandIn({ reply: () => 'from the other one' });
    try {
      const { writeFileSync } = await import('node:fs');
      writeFileSync(e.envFile, `OLLAMA_HOST=127.0.0.1:${other.port}\n`);
      e.rm.config.invalidate();
      expect(text(await drain(p.stream(hi())))).toBe('from the other one');
    } finally {
      await other.close();
    }
  });
});

describe('OllamaProvider listings and health', () => {
  it('lists installed models, loaded models and reports health with latency', async () => {
    const { p } = await setup({ models: ['llama3.2', 'qwen2.5:7b'] });
    const models = await p.models();
    expect(models.map((m) => m.name)).toEqual(['llama3.2:latest', 'qwen2.5:7b']);
    expect(models[0]).toMatchObject({ family: 'llama', parameterSize: '3.2B' });
    expect(await p.loaded(2_000)).toEqual([]);
    await drain(p.stream(hi()));
    const loaded = await p.loaded(2_000);
    expect(loaded).toHaveLength(1);
    expect(loaded[0]).toMatchObject({ name: 'llama3.2:latest' });
    expect(loaded[0]!.sizeVram).toBeGreaterThan(0);
    expect(Date.parse(loaded[0]!.expiresAt!)).toBeGreaterThan(Date.now());
    const h = await p.health(2_000);
    expect(h).toMatchObject({ id: 'ollama', kind: 'llm', configured: true, reachable: true, lastError: null });
    expect(h.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('health of a server that never answers is bounded by its timeout', async () => {
    blackhole = await startCountingServer(() => {
      /* never answers */
    });
    engine = await tempEngine({ envText: `OLLAMA_HOST=${blackhole.url}\n` });
    const p = new OllamaProvider(engine.rm);
    // The message comes from the probe's own deadline: the bound, not a socket error, ended it.
    const h = await p.health(300);
    expect(h.reachable).toBe(false);
    expect(h.lastError).toMatch(/within 0\.3 s/);
    expect(await p.loaded(300)).toEqual([]);
  });

  it('health of a stopped Ollama says so and how to start it', async () => {
    const { p, s } = await setup();
    await s.stop();
    const h = await p.health(2_000);
    expect(h.reachable).toBe(false);
    expect(h.lastError).toBe(`Ollama is not reachable at ${s.url} — start it with 'ollama serve'`);
  });
});
