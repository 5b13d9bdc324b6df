import OpenAI, { AuthenticationError, BadRequestError, NotFoundError } from 'openai';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { request } from 'undici';
import { startOllamaStandIn, type OllamaStandIn } from '../helpers/ollama-standin.js';
import { startOpenAIStandIn, type OpenAIStandIn } from '../helpers/openai-standin.js';
import { tempWebHost, type TempWebHost } from '../helpers/web.js';

let ollama: OllamaStandIn;
let lmstudio: OpenAIStandIn;
let w: TempWebHost;
let client: OpenAI;

const OLLAMA_MODEL = 'llama3.2';
const OPENAI_MODEL = 'qwen2.5-7b-instruct';
const weather = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'The weather in a city.',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
} as const;

beforeEach(async () => {
  ollama = await startOllamaStandIn({ models: [OLLAMA_MODEL, 'nomic-embed-text'] });
  lmstudio = await startOpenAIStandIn({ models: [OPENAI_MODEL], apiKey: 'lm-key' });
  w = await tempWebHost(`OLLAMA_HOST=${ollama.url}\nOPENAI_BASE_URL=${lmstudio.url}\nOPENAI_API_KEY=lm-key\n`);
  client = new OpenAI({ baseURL: `${w.host.url}/v1`, apiKey: w.key, maxRetries: 0 });
});
afterEach(async () => {
  await w.dispose();
  await ollama.close();
  await lmstudio.close();
});

describe('the OpenAI-compatible API, with the official client', () => {
  it('lists every provider’s models as one list', async () => {
    const models = [];
    for await (const m of client.models.list()) models.push(m);
    expect(models.map((m) => [m.id, m.owned_by])).toEqual([
      ['llama3.2:latest', 'ollama'],
      ['nomic-embed-text:latest', 'ollama'],
      [OPENAI_MODEL, 'openai'],
    ]);
  });

  it('answers a plain completion with usage, and its request id reaches the recent-requests table', async () => {
    const c = await client.chat.completions.create({
      model: OLLAMA_MODEL,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hello there' },
      ],
    });
    expect(c).toMatchObject({
      object: 'chat.completion',
      model: OLLAMA_MODEL,
      choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'You said: hello there' } }],
    });
    expect(c.usage).toEqual({ prompt_tokens: expect.any(Number), completion_tokens: 4, total_tokens: c.usage!.prompt_tokens + 4 });
    expect(c.usage!.prompt_tokens).toBeGreaterThan(0);
    const requestId = c.id.replace(/^chatcmpl-/, '');
    expect(ollama.requests.find((r) => r.path === '/api/chat')?.headers?.['x-request-id']).toBe(requestId);
    expect(w.app.rm.recentRequests().find((r) => r.path === '/api/chat')?.requestId).toBe(requestId);
  });

  it('streams chunks that assemble to the answer, closed by usage and [DONE]', async () => {
    for (const model of [OLLAMA_MODEL, OPENAI_MODEL]) {
      const stream = await client.chat.completions.create({
        model,
        messages: [{ role: 'user', content: 'stream me please' }],
        stream: true,
        stream_options: { include_usage: true },
      });
      const chunks = [];
      for await (const chunk of stream) chunks.push(chunk);
      expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join(''), model).toBe('You said: stream me please');
      expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
      expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe('stop');
      expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { completion_tokens: 5, total_tokens: expect.any(Number) } });
      expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    }
    const raw = await request(`${w.host.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${w.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: OLLAMA_MODEL, messages: [{ role: 'user', content: 'hi' }], stream: true }),
    });
    expect(raw.headers['content-type']).toContain('text/event-stream');
    const text = await raw.body.text();
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(text).not.toContain('"usage"');
  });

  it('passes tools through and brings the model’s tool calls back; the result goes to the model', async () => {
    for (const [model, standIn] of [
      [OLLAMA_MODEL, ollama],
      [OPENAI_MODEL, lmstudio],
    ] as const) {
      standIn.set({ toolCalls: [{ name: 'get_weather', arguments: { city: 'Oslo' } }] });
      const first = await client.chat.completions.create({
        model,
        messages: [{ role: 'user', content: 'weather in Oslo?' }],
        tools: [weather],
        tool_choice: 'auto',
      });
      const choice = first.choices[0]!;
      expect(choice.finish_reason, model).toBe('tool_calls');
      const call = choice.message.tool_calls![0]!;
      expect(call).toMatchObject({ type: 'function', id: expect.any(String), function: { name: 'get_weather' } });
      expect(JSON.parse((call as { function: { arguments: string } }).function.arguments)).toEqual({ city: 'Oslo' });
      const second = await client.chat.completions.create({
        model,
        messages: [
          { role: 'user', content: 'weather in Oslo?' },
          choice.message,
          { role: 'tool', tool_call_id: call.id, content: 'sunny, 21 °C' },
        ],
        tools: [weather],
      });
      expect(second.choices[0]!.message.content).toBe('Tool said: sunny, 21 °C');
    }
    const toOllama = ollama.requests
      .filter((r) => r.path === '/api/chat')
      .map((r) => r.body as { tools?: unknown[]; messages: { role: string; tool_name?: string }[] });
    expect(toOllama[0]!.tools).toEqual([weather]);
    expect(toOllama[1]!.messages.at(-1)).toMatchObject({ role: 'tool', tool_name: 'get_weather' });
    const toLm = lmstudio.requests
      .filter((r) => r.path === '/v1/chat/completions')
      .map((r) => r.body as { tool_choice?: unknown; messages: { role: string; tool_call_id?: string }[] });
    expect(toLm[0]!.tool_choice).toBe('auto');
    expect(toLm[1]!.messages.at(-1)).toMatchObject({ role: 'tool', tool_call_id: expect.stringMatching(/^call_/) });
  });

  it('streams a tool call in OpenAI’s chunk shape', async () => {
    lmstudio.set({ toolCalls: [{ name: 'get_weather', arguments: { city: 'Bergen' } }] });
    const stream = await client.chat.completions.create({
      model: OPENAI_MODEL,
      messages: [{ role: 'user', content: 'Bergen?' }],
      tools: [weather],
      stream: true,
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const calls = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(calls).toEqual([
      { index: 0, id: expect.any(String), type: 'function', function: { name: 'get_weather', arguments: '{"city":"Bergen"}' } },
    ]);
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe('tool_calls');
  });

  it('passes sampling settings on in each server’s words', async () => {
    await client.chat.completions.create({
      model: OLLAMA_MODEL,
      messages: [{ role: 'user', content: 'x' }],
      temperature: 0.2,
      max_tokens: 64,
      stop: ['\n'],
      seed: 7,
    });
    await client.chat.completions.create({
      model: OPENAI_MODEL,
      messages: [{ role: 'user', content: 'x' }],
      temperature: 0.2,
      max_tokens: 64,
      top_p: 0.9,
    });
    expect((ollama.requests.find((r) => r.path === '/api/chat')!.body as { options: unknown }).options).toEqual({
      temperature: 0.2,
      num_predict: 64,
      stop: ['\n'],
      seed: 7,
    });
    expect(lmstudio.requests.find((r) => r.path === '/v1/chat/completions')!.body).toMatchObject({
      temperature: 0.2,
      max_tokens: 64,
      top_p: 0.9,
    });
  });

  it('answers a wrong key with 401 in OpenAI’s error shape (AuthenticationError), for Bearer and X-API-Key alike', async () => {
    const wrong = new OpenAI({ baseURL: `${w.host.url}/v1`, apiKey: 'not-the-key', maxRetries: 0 });
    const err = await wrong.models.list().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect((err as AuthenticationError).error).toMatchObject({
      type: 'invalid_request_error',
      code: 'invalid_api_key',
      param: null,
      message: expect.any(String),
    });
    const byHeader = await request(`${w.host.url}/v1/models`, { headers: { 'x-api-key': w.key } });
    expect(byHeader.statusCode).toBe(200);
    await byHeader.body.dump();
    expect(ollama.requests.filter((r) => r.path === '/api/chat')).toHaveLength(0);
  });

  it('answers an unknown model with 404 (param "model") and a bad body with 400 naming the field', async () => {
    const missing = await client.chat.completions
      .create({ model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect((missing as NotFoundError).error).toMatchObject({ code: 'model_not_found', param: 'model', type: 'invalid_request_error' });
    const bad = await client.chat.completions
      .create({ model: OLLAMA_MODEL, messages: [{ role: 'user', content: 42 as unknown as string }] })
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(BadRequestError);
    expect((bad as BadRequestError).error).toMatchObject({ param: 'messages.[0].content', type: 'invalid_request_error' });
    const none = await request(`${w.host.url}/v1/nothing`, { headers: { authorization: `Bearer ${w.key}` } });
    expect(none.statusCode).toBe(404);
    expect(await none.body.json()).toMatchObject({ error: { type: 'invalid_request_error', code: 'unknown_url' } });
    expect(ollama.requests.filter((r) => r.path === '/api/chat')).toHaveLength(0);
  });

  it('answers 503 when no model server is reachable', async () => {
    await ollama.stop();
    await lmstudio.stop();
    const err = await client.chat.completions
      .create({ model: OLLAMA_MODEL, messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
    expect((err as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({ type: 'server_error', code: 'service_unavailable' });
  });

  it('aborts the upstream request at once when the client hangs up mid-stream', async () => {
    for (const [model, standIn] of [
      [OLLAMA_MODEL, ollama],
      [OPENAI_MODEL, lmstudio],
    ] as const) {
      standIn.set({ stallAfterTokens: 2 });
      const controller = new AbortController();
      const stream = await client.chat.completions.create(
        { model, messages: [{ role: 'user', content: 'a long answer please' }], stream: true },
        { signal: controller.signal },
      );
      const seen: string[] = [];
      try {
        for await (const chunk of stream) {
          seen.push(chunk.choices[0]?.delta.content ?? '');
          if (seen.join('') === 'You said:') controller.abort();
        }
      } catch {
        // The client's own abort ends its loop; what matters is upstream.
      }
      expect(seen.join(''), model).toBe('You said:');
      await vi.waitFor(() => expect(standIn.hungUp(), model).toBe(1));
    }
    // The hang-ups are logged as such, not as failures of the provider.
    expect(w.app.rm.snapshot().apiClients?.[0]).toMatchObject({ calls: 2, failed: 0 });
  });

  it('gives embeddings from Ollama, as floats or as the base64 the client asks for by default', async () => {
    const floats = await client.embeddings.create({ model: 'nomic-embed-text', input: ['abc', 'hello'], encoding_format: 'float' });
    expect(floats.data.map((d) => d.index)).toEqual([0, 1]);
    expect(floats.data[0]!.embedding).toEqual([3, 97 / 128, 98 / 128, 99 / 128]);
    expect(floats.usage.prompt_tokens).toBe(2);
    const packed = await client.embeddings.create({ model: 'nomic-embed-text', input: 'abc' });
    packed.data[0]!.embedding.forEach((v, i) => expect(v).toBeCloseTo(floats.data[0]!.embedding[i]!, 5));
    const onLm = await client.embeddings.create({ model: OPENAI_MODEL, input: 'abc' }).catch((e: unknown) => e);
    expect(onLm).toBeInstanceOf(BadRequestError);
  });

  it('counts calls per client for the dashboard, and keeps them out of the history unless X-Vega-Save: 1 asks', async () => {
    await client.chat.completions.create({ model: OLLAMA_MODEL, messages: [{ role: 'user', content: 'one' }] });
    await client.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'two' }] }).catch(() => undefined);
    const curl = await request(`${w.host.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${w.key}`, 'content-type': 'application/json', 'user-agent': 'curl/8.5.0', 'x-vega-save': '1' },
      body: JSON.stringify({
        model: OLLAMA_MODEL,
        messages: [
          { role: 'system', content: 'Be kind.' },
          { role: 'user', content: 'keep this one' },
        ],
      }),
    });
    expect(curl.statusCode).toBe(200);
    await curl.body.dump();
    const clients = w.app.rm.snapshot().apiClients ?? [];
    expect(clients.find((c) => c.client === 'OpenAI/JS')).toMatchObject({ calls: 2, failed: 1, completionTokens: 3 });
    expect(clients.find((c) => c.client === 'curl')).toMatchObject({ calls: 1, failed: 0, promptTokens: expect.any(Number) });
    expect(clients.find((c) => c.client === 'curl')!.ttftMs.p50).toBeGreaterThan(0);
    const scrape = await request(`${w.host.url}/metrics`, { headers: { authorization: `Bearer ${w.key}` } });
    const exposition = await scrape.body.text();
    expect(exposition).toContain('vega_api_calls_total{client="OpenAI/JS"} 2');
    expect(exposition).toContain('vega_api_calls_failed_total{client="OpenAI/JS"} 1');
    await vi.waitFor(() => expect(w.app.chat.service.list()).toHaveLength(1));
    const [saved] = w.app.chat.service.list();
    const conv = await w.app.chat.service.get(saved!.id);
    expect(conv.systemPrompt).toBe('Be kind.');
    expect(conv.messages.map((m) => [m.role, m.content])).toEqual([
      ['user', 'keep this one'],
      ['assistant', 'You said: keep this one'],
    ]);
  });
});
