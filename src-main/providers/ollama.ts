import type { LoadedModel, ModelInfo } from '../../src-shared/chat.js';
import { VegaError } from '../../src-shared/errors.js';
import type { Config } from '../engine/config.js';
import type { Body } from '../engine/outbound/index.js';
import { HttpProvider, type Answer, type ChatCall } from './base.js';
import { functionTools, toolArguments } from './function-tools.js';
import type { LlmMessage, LlmToolCall, StreamPart, StreamRequest, StreamStats } from './llm.js';
import { NdjsonDecoder } from './ndjson.js';

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
export class OllamaProvider extends HttpProvider {
  readonly id = 'ollama' as const;
  protected readonly server = { name: 'Ollama', urlKey: 'OLLAMA_HOST', startHint: "start it with 'ollama serve'" };
  protected readonly healthPath = 'api/version';

  protected address(config: Config): URL {
    return config.url('OLLAMA_HOST', { defaultScheme: 'http' }) ?? new URL(DEFAULT_HOST);
  }

  protected chatCall(req: StreamRequest): ChatCall {
    const tools = functionTools(req.tools);
    return {
      path: 'api/chat',
      accept: 'application/x-ndjson',
      body: { model: req.model, messages: req.messages.map(toOllamaMessage), stream: true, ...(tools ? { tools } : {}) },
    };
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
      models?: { name: string; size?: number; details?: { family?: string; parameter_size?: string } }[];
    };
    return (data.models ?? []).map((m) => ({
      name: m.name,
      size: m.size,
      family: m.details?.family,
      parameterSize: m.details?.parameter_size,
    }));
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
