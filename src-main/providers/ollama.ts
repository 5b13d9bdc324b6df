import type { LoadedModel, ModelInfo } from '../../src-shared/chat.js';
import { VegaError } from '../../src-shared/errors.js';
import type { ModelDetails } from '../../src-shared/models.js';
import type { Config } from '../engine/config.js';
import { discard, errorField, joinUrl, open, readErrorText, transportError, type Body } from '../engine/outbound/index.js';
import { HttpProvider, type Answer, type ChatCall } from './base.js';
import { endpointList } from './fleet/endpoints.js';
import { functionTools, toolArguments } from './function-tools.js';
import type { Embeddings, LlmMessage, LlmToolCall, StreamPart, StreamRequest, StreamStats } from './llm.js';
import { NdjsonDecoder } from './ndjson.js';
import { ollamaOptions } from './sampling.js';

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

interface ShowAnswer {
  details?: { family?: string; parameter_size?: string; quantization_level?: string };
  model_info?: Record<string, unknown>;
  parameters?: string;
  capabilities?: string[];
}

/** Listings and model details are small; a delete or an unload is quick. */
const MANAGE_TIMEOUT_MS = 30_000;

/**
 * Ollama's /api/chat, /api/tags, /api/ps and /api/version on the engine's
 * pooled client, and the model management calls: pull, show, delete, load
 * and unload.
 */
export class OllamaProvider extends HttpProvider {
  readonly id = 'ollama' as const;
  protected readonly server = { name: 'Ollama', urlKey: 'OLLAMA_HOST', startHint: "start it with 'ollama serve'" };
  protected readonly healthPath = 'api/version';

  protected address(config: Config): URL {
    return endpointList(config, 'OLLAMA_HOST')[0]?.url ?? new URL(DEFAULT_HOST);
  }

  protected chatCall(req: StreamRequest): ChatCall {
    // Ollama has no tool_choice: "none" is said by offering no tools, the other choices are the model's.
    const tools = req.toolChoice === 'none' ? undefined : functionTools(req.tools);
    const options = ollamaOptions(req);
    return {
      path: 'api/chat',
      accept: 'application/x-ndjson',
      body: {
        model: req.model,
        messages: req.messages.map(toOllamaMessage),
        stream: true,
        ...(tools ? { tools } : {}),
        ...(options ? { options } : {}),
      },
    };
  }

  /** POST /api/embed: one vector per input. Loading the model may take as long as a first answer. */
  async embed(model: string, input: readonly string[], signal?: AbortSignal): Promise<Embeddings> {
    const { peer } = await this.settings();
    const data = (await this.callJson('api/embed', peer.timeoutS * 1000, { method: 'POST', body: { model, input }, model, signal })) as {
      embeddings?: number[][];
      prompt_eval_count?: number;
    };
    if (!Array.isArray(data.embeddings) || data.embeddings.length !== input.length)
      throw new VegaError(
        'PROVIDER_ERROR',
        `Ollama answered the embedding call without one vector per input — is "${model}" an embedding model?`,
      );
    return { vectors: data.embeddings, promptTokens: data.prompt_eval_count };
  }

  protected async *readAnswer(body: Body, streaming: () => void): AsyncGenerator<StreamPart, Answer, undefined> {
    const decoder = new NdjsonDecoder();
    const calls: LlmToolCall[] = [];
    let stats: StreamStats | undefined;
    const take = function* (lines: unknown[]): Generator<StreamPart> {
      for (const line of lines as OllamaLine[]) {
        stats = readLine(line, calls) ?? stats;
        const text = line.message?.content;
        if (!text) continue;
        streaming();
        yield { type: 'token', text };
      }
    };
    for await (const chunk of body) yield* take(decoder.push(chunk as Buffer));
    yield* take(decoder.end());
    if (!stats)
      throw new VegaError('PROVIDER_ERROR', 'Ollama ended the answer without its final record — check its log; the part received is kept.');
    return { calls, stats };
  }

  protected modelError(status: number, said: string, model: string): VegaError | undefined {
    if (status === 404 && /not found/i.test(said))
      return new VegaError('MODEL_NOT_FOUND', `Model "${model}" is not installed — run 'ollama pull ${model}'`);
    return undefined;
  }

  async models(signal?: AbortSignal): Promise<ModelInfo[]> {
    const data = (await this.getJson('api/tags', 10_000, signal)) as {
      models?: { name: string; size?: number; details?: { family?: string; parameter_size?: string; quantization_level?: string } }[];
    };
    return (data.models ?? []).map((m) => ({
      name: m.name,
      size: m.size,
      family: m.details?.family,
      parameterSize: m.details?.parameter_size,
      quantization: m.details?.quantization_level,
    }));
  }

  /** /api/show: the model's details, its maximum context and what it can do. */
  async show(name: string, signal?: AbortSignal): Promise<ModelDetails> {
    const data = (await this.callJson('api/show', MANAGE_TIMEOUT_MS, {
      method: 'POST',
      body: { model: name },
      model: name,
      signal,
    })) as ShowAnswer;
    const info = data.model_info ?? {};
    const arch = info['general.architecture'];
    const lengthKey =
      typeof arch === 'string' && `${arch}.context_length` in info
        ? `${arch}.context_length`
        : Object.keys(info).find((k) => k.endsWith('.context_length'));
    const length = lengthKey === undefined ? undefined : info[lengthKey];
    const numCtx = /^num_ctx\s+(\d+)/m.exec(data.parameters ?? '')?.[1];
    return {
      name,
      family: data.details?.family,
      parameterSize: data.details?.parameter_size,
      quantization: data.details?.quantization_level,
      contextLength: typeof length === 'number' && length > 0 ? length : null,
      defaultNumCtx: numCtx ? Number(numCtx) : null,
      capabilities: Array.isArray(data.capabilities) ? data.capabilities.filter((c) => typeof c === 'string') : [],
    };
  }

  /** DELETE /api/delete: the model's files go; blobs another model shares stay. */
  async remove(name: string): Promise<void> {
    await this.callJson('api/delete', MANAGE_TIMEOUT_MS, { method: 'DELETE', body: { model: name }, model: name });
  }

  /** Load the model into memory ahead of the first message (an empty /api/generate); that may take as long as a first answer. */
  async load(name: string): Promise<void> {
    const { peer } = await this.settings();
    await this.callJson('api/generate', peer.timeoutS * 1000, { method: 'POST', body: { model: name, stream: false }, model: name });
  }

  /** Let go of the model's memory now (`keep_alive: 0`). */
  async unload(name: string): Promise<void> {
    await this.callJson('api/generate', MANAGE_TIMEOUT_MS, {
      method: 'POST',
      body: { model: name, keep_alive: 0, stream: false },
      model: name,
    });
  }

  /**
   * POST /api/pull, streamed: Ollama's progress lines as they come, its
   * `{"error": …}` lines included (a refusal before the stream becomes one
   * such line too), for the caller to read. Aborting `signal` cancels the
   * download; Ollama keeps the finished parts, so a later pull resumes.
   */
  async *pullLines(name: string, signal: AbortSignal): AsyncGenerator<unknown, void, undefined> {
    const s = await this.settings();
    const res = await open(this.rm.httpClient(), s.peer, {
      method: 'POST',
      url: joinUrl(s.base, 'api/pull'),
      signal,
      headers: { ...s.headers, 'content-type': 'application/json', accept: 'application/x-ndjson' },
      body: JSON.stringify({ model: name, stream: true }),
      // Verifying a large download's digest is minutes of silence: the LLM's bound, not the pool's.
      timeoutMs: s.peer.timeoutS * 1000,
    });
    try {
      if (res.statusCode !== 200) {
        const said = errorField(await readErrorText(res.body, (t) => this.rm.redact(t)));
        yield { error: said || `HTTP ${res.statusCode}` };
        return;
      }
      const decoder = new NdjsonDecoder();
      for await (const chunk of res.body) yield* decoder.push(chunk as Buffer);
      yield* decoder.end();
    } catch (err) {
      if (err instanceof SyntaxError)
        throw new VegaError(
          'PROVIDER_ERROR',
          `Ollama sent a pull progress line that is not JSON (${err.message}) — is OLLAMA_HOST the right address?`,
          { cause: err },
        );
      throw transportError(err, s.peer, 'stream', signal);
    } finally {
      discard(res.body);
    }
  }

  async loaded(timeoutMs: number): Promise<LoadedModel[]> {
    try {
      const data = (await this.getJson('api/ps', timeoutMs)) as {
        models?: { name: string; size?: number; size_vram?: number; expires_at?: string }[];
      };
      return (data.models ?? []).map((m) => ({
        name: m.name,
        size: m.size ?? 0,
        sizeVram: m.size_vram ?? 0,
        expiresAt: m.expires_at ?? null,
      }));
    } catch {
      return [];
    }
  }
}

function toOllamaMessage(m: LlmMessage): Record<string, unknown> {
  const out: Record<string, unknown> = { role: m.role, content: m.content };
  if (m.toolCalls?.length) out.tool_calls = m.toolCalls.map((c) => ({ function: { name: c.name, arguments: c.arguments } }));
  if (m.role === 'tool' && m.toolName) out.tool_name = m.toolName;
  if (m.images?.length) out.images = m.images.map((i) => i.base64);
  return out;
}

/** Collect the tool calls a line carries; returns the stats when it is the final line. */
function readLine(line: OllamaLine, calls: LlmToolCall[]): StreamStats | undefined {
  if (typeof line.error === 'string') throw new VegaError('PROVIDER_ERROR', `Ollama: ${line.error}`);
  for (const c of line.message?.tool_calls ?? []) {
    if (!c.function?.name) continue;
    calls.push({ ...(c.id ? { id: c.id } : {}), name: c.function.name, arguments: toolArguments(c.function.arguments) });
  }
  if (!line.done) return undefined;
  return {
    promptTokens: line.prompt_eval_count,
    evalTokens: line.eval_count,
    evalMs: line.eval_duration !== undefined ? line.eval_duration / 1e6 : undefined,
    doneReason: line.done_reason,
  };
}
