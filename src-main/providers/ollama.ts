import { request, type Dispatcher } from 'undici';
import type { LoadedModel, ModelInfo, ProviderHealth } from '../../src-shared/chat.js';
import { VegaError } from '../../src-shared/errors.js';
import type { ResourceManager } from '../engine/resource-manager.js';
import { getJson } from './get-json.js';
import { discard, errorField, readErrorText, transportError, type ServerContext } from './http-errors.js';
import { InFlight } from './in-flight.js';
import type { LlmMessage, LlmProvider, LlmToolCall, StreamPart, StreamRequest, StreamStats } from './llm.js';
import { NdjsonDecoder } from './ndjson.js';
import { probe } from './probe.js';

const DEFAULT_HOST = 'http://127.0.0.1:11434';

interface OllamaLine {
  message?: { content?: string; tool_calls?: { id?: string; function?: { name?: string; arguments?: unknown } }[] };
  done?: boolean;
  done_reason?: string;
  prompt_eval_count?: number;
  eval_count?: number;
  eval_duration?: number;
  error?: string;
}

/** Ollama's /api/chat, /api/tags, /api/ps and /api/version on the engine's pooled client. */
export class OllamaProvider implements LlmProvider {
  readonly id = 'ollama' as const;
  readonly #rm: ResourceManager;
  readonly #inFlight = new InFlight();
  lastError: string | null = null;

  constructor(rm: ResourceManager) {
    this.#rm = rm;
  }

  /** Read on every call: the config cache makes it cheap, and a changed OLLAMA_HOST applies at once. */
  async #settings(): Promise<{ base: URL; timeoutMs: number; ctx: ServerContext }> {
    const cfg = await this.#rm.config.get();
    const base = cfg.url('OLLAMA_HOST', { defaultScheme: 'http' }) ?? new URL(DEFAULT_HOST);
    const timeoutS = cfg.number('VEGA_LLM_TIMEOUT_S');
    const url = base.origin + base.pathname.replace(/\/+$/, '');
    return {
      base,
      timeoutMs: timeoutS * 1000,
      ctx: { name: 'Ollama', url, startHint: "start it with 'ollama serve'", timeoutS, timeoutKey: 'VEGA_LLM_TIMEOUT_S', redact: (t: string) => this.#rm.redact(t) },
    };
  }

  async *stream(req: StreamRequest): AsyncGenerator<StreamPart, void, undefined> {
    const { base, timeoutMs, ctx } = await this.#settings();
    const call = this.#inFlight.begin(req.signal);
    const phase = { headers: false, tokens: false };
    let res: Dispatcher.ResponseData | undefined;
    try {
      try {
        res = await request(endpoint(base, 'api/chat'), {
          method: 'POST',
          dispatcher: this.#rm.httpClient(),
          signal: call.signal,
          headers: { 'content-type': 'application/json', accept: 'application/x-ndjson', ...(req.requestId ? { 'x-request-id': req.requestId } : {}) },
          body: JSON.stringify(chatBody(req)),
          // An LLM may think for minutes before its first token: its own bound, not the 30 s of integrations.
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        });
      } catch (err) {
        throw transportError(err, ctx, phase);
      }
      phase.headers = true;
      if (res.statusCode !== 200) throw httpError(res.statusCode, errorField(await readErrorText(res.body, ctx)), req.model);
      const decoder = new NdjsonDecoder();
      const calls: LlmToolCall[] = [];
      let stats: StreamStats | undefined;
      try {
        for await (const chunk of res.body) {
          for (const line of decoder.push(chunk as Buffer)) {
            const text = (line as OllamaLine).message?.content;
            stats = readLine(line as OllamaLine, calls, phase) ?? stats;
            if (text) yield { type: 'token', text };
          }
        }
        for (const line of decoder.end()) {
          const text = (line as OllamaLine).message?.content;
          stats = readLine(line as OllamaLine, calls, phase) ?? stats;
          if (text) yield { type: 'token', text };
        }
      } catch (err) {
        if (call.signal.aborted) throw new VegaError('ABORTED', 'Stopped.', { cause: err });
        if (err instanceof SyntaxError) throw new VegaError('PROVIDER_ERROR', `Ollama sent a line that is not JSON (${err.message}) — is OLLAMA_HOST an Ollama server?`, { cause: err });
        throw transportError(err, ctx, phase);
      }
      if (!stats) throw new VegaError('PROVIDER_ERROR', 'Ollama ended the answer without its final record — check its log; the part received is kept.');
      if (calls.length) yield { type: 'tool-calls', calls };
      this.lastError = null;
      yield { type: 'done', stats };
    } catch (err) {
      const e = call.signal.aborted ? new VegaError('ABORTED', 'Stopped.', { cause: err }) : transportError(err, ctx, phase);
      if (e.code !== 'ABORTED') this.lastError = e.message;
      throw e;
    } finally {
      if (res) discard(res.body);
      call.end();
    }
  }

  async models(signal?: AbortSignal): Promise<ModelInfo[]> {
    const { base, ctx } = await this.#settings();
    const data = (await getJson(this.#rm.httpClient(), endpoint(base, 'api/tags'), ctx, { timeoutMs: 10_000, signal })) as {
      models?: { name: string; size?: number; details?: { family?: string; parameter_size?: string } }[];
    };
    return (data.models ?? []).map((m) => ({ name: m.name, size: m.size, family: m.details?.family, parameterSize: m.details?.parameter_size }));
  }

  async loaded(timeoutMs: number): Promise<LoadedModel[]> {
    const { base, ctx } = await this.#settings();
    try {
      const data = (await getJson(this.#rm.httpClient(), endpoint(base, 'api/ps'), ctx, { timeoutMs })) as {
        models?: { name: string; size?: number; size_vram?: number; expires_at?: string }[];
      };
      return (data.models ?? []).map((m) => ({ name: m.name, size: m.size ?? 0, sizeVram: m.size_vram ?? 0, expiresAt: m.expires_at ?? null }));
    } catch {
      return [];
    }
  }

  async health(timeoutMs: number): Promise<ProviderHealth> {
    return probe(this, true, timeoutMs, async () => {
      const { base, ctx } = await this.#settings();
      await getJson(this.#rm.httpClient(), endpoint(base, 'api/version'), ctx, { timeoutMs });
    });
  }

  abortAll(): void {
    this.#inFlight.abortAll();
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }
}

/** Keeps a path prefix in OLLAMA_HOST (a reverse proxy at /ollama) instead of replacing it. */
function endpoint(base: URL, path: string): URL {
  return new URL(path, base.href.endsWith('/') ? base : `${base.href}/`);
}

function chatBody(req: StreamRequest): Record<string, unknown> {
  return {
    model: req.model,
    messages: req.messages.map(toOllamaMessage),
    stream: true,
    ...(req.tools?.length ? { tools: req.tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters } })) } : {}),
  };
}

function toOllamaMessage(m: LlmMessage): Record<string, unknown> {
  const out: Record<string, unknown> = { role: m.role, content: m.content };
  if (m.toolCalls?.length) out.tool_calls = m.toolCalls.map((c) => ({ function: { name: c.name, arguments: c.arguments } }));
  if (m.role === 'tool' && m.toolName) out.tool_name = m.toolName;
  return out;
}

/** Collect what a line carries; returns the stats when it is the final line. */
function readLine(line: OllamaLine, calls: LlmToolCall[], phase: { tokens: boolean }): StreamStats | undefined {
  if (typeof line.error === 'string') throw new VegaError('PROVIDER_ERROR', `Ollama: ${line.error}`);
  if (line.message?.content) phase.tokens = true;
  for (const c of line.message?.tool_calls ?? []) {
    if (!c.function?.name) continue;
    const args = typeof c.function.arguments === 'string' ? parseArgs(c.function.arguments) : c.function.arguments;
    calls.push({ ...(c.id ? { id: c.id } : {}), name: c.function.name, arguments: isObject(args) ? args : {} });
  }
  if (!line.done) return undefined;
  return {
    promptTokens: line.prompt_eval_count,
    evalTokens: line.eval_count,
    evalMs: line.eval_duration !== undefined ? line.eval_duration / 1e6 : undefined,
    doneReason: line.done_reason,
  };
}

function httpError(status: number, text: string, model: string): VegaError {
  if (status === 404 && /not found/i.test(text)) return new VegaError('MODEL_NOT_FOUND', `Model "${model}" is not installed — run 'ollama pull ${model}'`);
  return new VegaError('PROVIDER_ERROR', `Ollama: ${text} (HTTP ${status})`);
}

function parseArgs(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
