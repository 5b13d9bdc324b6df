import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { request, type Dispatcher } from 'undici';
import type { LoadedModel, ModelInfo, ProviderHealth } from '../../src-shared/chat.js';
import { VegaError } from '../../src-shared/errors.js';
import type { ResourceManager } from '../engine/resource-manager.js';
import { getJson } from './get-json.js';
import { discard, errorField, readErrorText, transportError, type ServerContext } from './http-errors.js';
import { InFlight } from './in-flight.js';
import type { LlmMessage, LlmProvider, LlmToolCall, StreamPart, StreamRequest } from './llm.js';
import { probe } from './probe.js';

interface Settings {
  readonly base: URL;
  readonly apiKey: string;
  readonly timeoutMs: number;
  readonly ctx: ServerContext;
}

interface ChunkData {
  choices?: { delta?: { content?: string | null; tool_calls?: { index?: number; id?: string; function?: { name?: string; arguments?: string } }[] }; finish_reason?: string | null }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
  error?: unknown;
}

/** Any server speaking OpenAI's /chat/completions with SSE (LM Studio, llama.cpp, vLLM, OpenAI). */
export class OpenAIProvider implements LlmProvider {
  readonly id = 'openai' as const;
  readonly #rm: ResourceManager;
  readonly #inFlight = new InFlight();
  lastError: string | null = null;

  constructor(rm: ResourceManager) {
    this.#rm = rm;
  }

  async #settings(): Promise<Settings | undefined> {
    const cfg = await this.#rm.config.get();
    const base = cfg.url('OPENAI_BASE_URL');
    if (!base) return undefined;
    const timeoutS = cfg.number('VEGA_LLM_TIMEOUT_S');
    return {
      base,
      apiKey: cfg.string('OPENAI_API_KEY'),
      timeoutMs: timeoutS * 1000,
      ctx: {
        name: 'The OpenAI-compatible server',
        url: base.origin + base.pathname.replace(/\/+$/, ''),
        startHint: 'start it (in LM Studio: Developer → Start Server) or correct OPENAI_BASE_URL',
        timeoutS,
        timeoutKey: 'VEGA_LLM_TIMEOUT_S',
        redact: (t: string) => this.#rm.redact(t),
      },
    };
  }

  async #required(): Promise<Settings> {
    const s = await this.#settings();
    if (!s) throw new VegaError('CONFIG_INVALID', 'No OpenAI-compatible server is set — add OPENAI_BASE_URL (e.g. http://127.0.0.1:1234/v1) in Settings.');
    return s;
  }

  #headers(s: Settings, extra: Record<string, string> = {}): Record<string, string> {
    return { ...(s.apiKey ? { authorization: `Bearer ${s.apiKey}` } : {}), ...extra };
  }

  async *stream(req: StreamRequest): AsyncGenerator<StreamPart, void, undefined> {
    const s = await this.#required();
    const call = this.#inFlight.begin(req.signal);
    const phase = { headers: false, tokens: false };
    let res: Dispatcher.ResponseData | undefined;
    try {
      try {
        res = await request(endpoint(s.base, 'chat/completions'), {
          method: 'POST',
          dispatcher: this.#rm.httpClient(),
          signal: call.signal,
          headers: this.#headers(s, { 'content-type': 'application/json', accept: 'text/event-stream', ...(req.requestId ? { 'x-request-id': req.requestId } : {}) }),
          body: JSON.stringify(completionBody(req)),
          headersTimeout: s.timeoutMs,
          bodyTimeout: s.timeoutMs,
        });
      } catch (err) {
        throw transportError(err, s.ctx, phase);
      }
      phase.headers = true;
      if (res.statusCode !== 200) throw httpError(res.statusCode, errorField(await readErrorText(res.body, s.ctx)), req.model, s.ctx);

      const events: EventSourceMessage[] = [];
      const parser = createParser({ onEvent: (e) => events.push(e) });
      const decoder = new TextDecoder('utf-8');
      const calls = new Map<number, { id?: string; name: string; args: string }>();
      let usage: ChunkData['usage'];
      let finished = false;
      let count = 0;
      let firstAt = 0;
      const parts = function* (): Generator<StreamPart> {
        for (const e of events.splice(0)) {
          if (e.data.trim() === '[DONE]') {
            finished = true;
            continue;
          }
          const data = JSON.parse(e.data) as ChunkData;
          if (data.error) throw new VegaError('PROVIDER_ERROR', `The OpenAI-compatible server: ${errorField(JSON.stringify({ error: data.error }))}`);
          if (data.usage) usage = data.usage;
          const choice = data.choices?.[0];
          if (choice?.finish_reason) finished = true;
          for (const t of choice?.delta?.tool_calls ?? []) {
            const i = t.index ?? 0;
            const c = calls.get(i) ?? { name: '', args: '' };
            if (t.id) c.id = t.id;
            if (t.function?.name) c.name += t.function.name;
            if (t.function?.arguments) c.args += t.function.arguments;
            calls.set(i, c);
          }
          const text = choice?.delta?.content;
          if (text) {
            phase.tokens = true;
            count++;
            firstAt ||= performance.now();
            yield { type: 'token', text };
          }
        }
      };
      try {
        for await (const chunk of res.body) {
          parser.feed(decoder.decode(chunk as Buffer, { stream: true }));
          yield* parts();
        }
        parser.feed(decoder.decode());
        yield* parts();
      } catch (err) {
        if (call.signal.aborted) throw new VegaError('ABORTED', 'Stopped.', { cause: err });
        if (err instanceof SyntaxError) throw new VegaError('PROVIDER_ERROR', `The OpenAI-compatible server sent an event that is not JSON (${err.message}).`, { cause: err });
        throw transportError(err, s.ctx, phase);
      }
      if (!finished) throw new VegaError('PROVIDER_ERROR', 'The OpenAI-compatible server ended the answer before finishing it — check its log; the part received is kept.');
      const toolCalls: LlmToolCall[] = [...calls.values()].filter((c) => c.name).map((c) => ({ ...(c.id ? { id: c.id } : {}), name: c.name, arguments: parseArgs(c.args) }));
      if (toolCalls.length) yield { type: 'tool-calls', calls: toolCalls };
      this.lastError = null;
      yield {
        type: 'done',
        stats: {
          promptTokens: usage?.prompt_tokens,
          evalTokens: usage?.completion_tokens ?? count,
          // The server does not report its generation time: measured here, from the first token.
          evalMs: firstAt ? performance.now() - firstAt : undefined,
        },
      };
    } catch (err) {
      const e = call.signal.aborted ? new VegaError('ABORTED', 'Stopped.', { cause: err }) : transportError(err, s.ctx, phase);
      if (e.code !== 'ABORTED') this.lastError = e.message;
      throw e;
    } finally {
      if (res) discard(res.body);
      call.end();
    }
  }

  async models(signal?: AbortSignal): Promise<ModelInfo[]> {
    const s = await this.#required();
    const data = (await getJson(this.#rm.httpClient(), endpoint(s.base, 'models'), s.ctx, { timeoutMs: 10_000, signal, headers: this.#headers(s), onStatus: (st, t) => authError(st, t) })) as {
      data?: { id: string }[];
    };
    return (data.data ?? []).map((m) => ({ name: m.id }));
  }

  async loaded(): Promise<LoadedModel[]> {
    return [];
  }

  async health(timeoutMs: number): Promise<ProviderHealth> {
    const s = await this.#settings().catch(() => undefined);
    return probe(this, s !== undefined, timeoutMs, async () => {
      if (!s) return;
      await getJson(this.#rm.httpClient(), endpoint(s.base, 'models'), s.ctx, { timeoutMs, headers: this.#headers(s), onStatus: (st, t) => authError(st, t) });
    });
  }

  abortAll(): void {
    this.#inFlight.abortAll();
  }
}

function endpoint(base: URL, path: string): URL {
  return new URL(path, base.href.endsWith('/') ? base : `${base.href}/`);
}

function completionBody(req: StreamRequest): Record<string, unknown> {
  return {
    model: req.model,
    messages: req.messages.map(toOpenAIMessage),
    stream: true,
    stream_options: { include_usage: true },
    ...(req.tools?.length ? { tools: req.tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters } })) } : {}),
  };
}

function toOpenAIMessage(m: LlmMessage): Record<string, unknown> {
  if (m.role === 'tool') return { role: 'tool', tool_call_id: m.toolCallId ?? '', content: m.content };
  const out: Record<string, unknown> = { role: m.role, content: m.content };
  if (m.toolCalls?.length) out.tool_calls = m.toolCalls.map((c, i) => ({ id: c.id ?? `call_${i}`, type: 'function', function: { name: c.name, arguments: JSON.stringify(c.arguments) } }));
  return out;
}

function authError(status: number, text: string): VegaError | undefined {
  if (status === 401 || status === 403) return new VegaError('PROVIDER_ERROR', `The OpenAI-compatible server refused the key: ${text} (HTTP ${status}) — check OPENAI_API_KEY.`);
  return undefined;
}

function httpError(status: number, text: string, model: string, ctx: ServerContext): VegaError {
  const auth = authError(status, text);
  if (auth) return auth;
  if (status === 404 && /model/i.test(text)) return new VegaError('MODEL_NOT_FOUND', `Model "${model}" is not available at ${ctx.url} — choose one the server lists, or load it there first.`);
  return new VegaError('PROVIDER_ERROR', `The OpenAI-compatible server: ${text} (HTTP ${status})`);
}

function parseArgs(text: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text || '{}') as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
