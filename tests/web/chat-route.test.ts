import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startOllamaStandIn, type OllamaStandIn } from '../helpers/ollama-standin.js';
import { tempWebHost, type TempWebHost } from '../helpers/web.js';

let ollama: OllamaStandIn;
let w: TempWebHost;

beforeEach(async () => {
  ollama = await startOllamaStandIn({ models: ['llama3.2', 'phi3'] });
  w = await tempWebHost(`OLLAMA_HOST=${ollama.url}\n`);
});
afterEach(async () => {
  await w.dispose();
  await ollama.close();
});

async function chat(body: unknown, headers: Record<string, string> = {}) {
  const res = await request(`${w.host.url}/chat`, {
    method: 'POST',
    headers: { 'x-api-key': w.key, 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.body.text();
  return {
    status: res.statusCode,
    text,
    json: (() => {
      try {
        return JSON.parse(text);
      } catch {
        return undefined;
      }
    })(),
    headers: res.headers,
  };
}

describe('POST /chat', () => {
  it('answers {response, model, conversation_id} and continues a conversation with its history', async () => {
    const first = await chat({ prompt: 'hello there' });
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({
      response: 'You said: hello there',
      model: 'llama3.2',
      conversation_id: expect.stringMatching(/^[\w-]+$/),
    });
    const second = await chat({ prompt: 'and again', conversation_id: first.json.conversation_id });
    expect(second.json.conversation_id).toBe(first.json.conversation_id);
    const last = ollama.requests.filter((r) => r.path === '/api/chat').at(-1)!.body as { messages: { role: string; content: string }[] };
    expect(last.messages.map((m) => m.content)).toEqual(['hello there', 'You said: hello there', 'and again']);
  });

  it('streams NDJSON tokens and a final done line', async () => {
    const r = await chat({ prompt: 'stream me please', stream: true, model: 'phi3' });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toContain('application/x-ndjson');
    const lines = r.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const tokens = lines
      .filter((l) => !l.done)
      .map((l) => l.response)
      .join('');
    expect(tokens).toBe('You said: stream me please');
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.at(-1)).toMatchObject({ done: true, model: 'phi3', response: '', conversation_id: expect.any(String) });
  });

  it('sends the request id to the provider', async () => {
    await chat({ prompt: 'trace me' }, { 'x-request-id': 'trace-42' });
    expect(ollama.requests.find((r) => r.path === '/api/chat')?.headers?.['x-request-id']).toBe('trace-42');
    expect(w.app.rm.recentRequests().find((r) => r.path === '/api/chat')?.requestId).toBe('trace-42');
  });

  it('explains a missing model and a stopped Ollama with the fix, as typed errors', async () => {
    const missing = await chat({ prompt: 'hi', model: 'nope' });
    expect(missing.status).toBe(404);
    expect(missing.json.error).toMatchObject({ code: 'MODEL_NOT_FOUND', message: expect.stringContaining('ollama pull nope') });
    await ollama.stop();
    const down = await chat({ prompt: 'hi' });
    expect(down.status).toBe(503);
    expect(down.json.error).toMatchObject({ code: 'PROVIDER_UNREACHABLE', message: expect.stringContaining('ollama serve') });
    await ollama.start();
    expect((await chat({ prompt: 'back?' })).json.response).toBe('You said: back?');
  });

  it('refuses bad bodies before any provider call', async () => {
    const before = ollama.requests.length;
    for (const [body, code] of [
      ['{not json', 'BAD_REQUEST'],
      [{ prompt: 42 }, 'BAD_REQUEST'],
      [{ prompt: '' }, 'BAD_REQUEST'],
      [{ prompt: 'x', extra: true }, 'BAD_REQUEST'],
      ['{"prompt":"x","__proto__":{"admin":true}}', 'BAD_REQUEST'],
      [{ prompt: 'x', conversation_id: '../../etc' }, 'BAD_REQUEST'],
      [[1, 2], 'BAD_REQUEST'],
    ] as const) {
      const r = await chat(body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.error.code).toBe(code);
    }
    expect((await chat({ prompt: 'x', conversation_id: 'doesnotexist' })).status).toBe(404);
    expect(ollama.requests.length).toBe(before);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });
});
