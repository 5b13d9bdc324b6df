import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { LoadedModel, ModelInfo } from '../../src-shared/chat.js';
import { VegaError } from '../../src-shared/errors.js';
import type { Config } from '../engine/config.js';
import { errorField, type Body, type Peer } from '../engine/outbound/index.js';
import { HttpProvider, type Answer, type ChatCall } from './base.js';
import { endpointList } from './fleet/endpoints.js';
import { functionTools, toolArguments } from './function-tools.js';
import type { LlmMessage, StreamPart, StreamRequest } from './llm.js';
import { openAISampling } from './sampling.js';

interface ChunkData {
  choices?: {
    delta?: { content?: string | null; tool_calls?: { index?: number; id?: string; function?: { name?: string; arguments?: string } }[] };
    finish_reason?: string | null;
  }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
  error?: unknown;
}

/** Any server speaking OpenAI's /chat/completions with SSE (LM Studio, llama.cpp, vLLM, OpenAI). */
export class OpenAIProvider extends HttpProvider {
  readonly id = 'openai' as const;
  protected readonly server = {
    name: 'The OpenAI-compatible server',
    urlKey: 'OPENAI_BASE_URL',
    startHint: 'start it (in LM Studio: Developer → Start Server) or correct OPENAI_BASE_URL',
  };
  protected readonly healthPath = 'models';

  protected address(config: Config): URL {
    const url = endpointList(config, 'OPENAI_BASE_URL')[0]?.url;
    if (!url)
      throw new VegaError(
        'CONFIG_INVALID',
        'No OpenAI-compatible server is set — add OPENAI_BASE_URL (e.g. http://127.0.0.1:1234/v1) in Settings.',
      );
    return url;
  }

  protected override async configured(): Promise<boolean> {
    return (await this.rm.config.get()).has('OPENAI_BASE_URL');
  }

  protected override headers(config: Config): Record<string, string> {
    const key = endpointList(config, 'OPENAI_BASE_URL')[0]?.key ?? config.string('OPENAI_API_KEY');
    return key ? { authorization: `Bearer ${key}` } : {};
  }

  protected chatCall(req: StreamRequest): ChatCall {
    const tools = functionTools(req.tools);
    return {
      path: 'chat/completions',
      accept: 'text/event-stream',
      body: {
        model: req.model,
        messages: req.messages.map(toOpenAIMessage),
        stream: true,
        stream_options: { include_usage: true },
        ...(tools ? { tools } : {}),
        ...(tools && req.toolChoice ? { tool_choice: req.toolChoice } : {}),
        ...openAISampling(req),
      },
    };
  }

  protected async *readAnswer(body: Body, streaming: () => void): AsyncGenerator<StreamPart, Answer, undefined> {
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
        if (data.error)
          throw new VegaError('PROVIDER_ERROR', `The OpenAI-compatible server: ${errorField(JSON.stringify({ error: data.error }))}`);
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
          streaming();
          count++;
          firstAt ||= performance.now();
          yield { type: 'token', text };
        }
      }
    };
    for await (const chunk of body) {
      parser.feed(decoder.decode(chunk as Buffer, { stream: true }));
      yield* parts();
    }
    parser.feed(decoder.decode());
    yield* parts();
    if (!finished)
      throw new VegaError(
        'PROVIDER_ERROR',
        'The OpenAI-compatible server ended the answer before finishing it — check its log; the part received is kept.',
      );
    return {
      calls: [...calls.values()]
        .filter((c) => c.name)
        .map((c) => ({ ...(c.id ? { id: c.id } : {}), name: c.name, arguments: toolArguments(c.args) })),
      stats: {
        promptTokens: usage?.prompt_tokens,
        evalTokens: usage?.completion_tokens ?? count,
        // The server does not report its generation time: measured here, from the first token.
        evalMs: firstAt ? performance.now() - firstAt : undefined,
      },
    };
  }

  protected override statusError(status: number, said: string, peer: Peer): VegaError {
    if (status === 401 || status === 403)
      return new VegaError('PROVIDER_ERROR', `${peer.name} refused the key: ${said} (HTTP ${status}) — check OPENAI_API_KEY.`);
    return super.statusError(status, said, peer);
  }

  protected modelError(status: number, said: string, model: string, peer: Peer): VegaError | undefined {
    if (status === 404 && /model/i.test(said))
      return new VegaError(
        'MODEL_NOT_FOUND',
        `Model "${model}" is not available at ${peer.url} — choose one the server lists, or load it there first.`,
      );
    return undefined;
  }

  async models(signal?: AbortSignal): Promise<ModelInfo[]> {
    const data = (await this.getJson('models', 10_000, signal)) as { data?: { id: string }[] };
    return (data.data ?? []).map((m) => ({ name: m.id }));
  }

  /** The API has no list of loaded models. */
  loaded(): Promise<LoadedModel[]> {
    return Promise.resolve([]);
  }
}

function toOpenAIMessage(m: LlmMessage): Record<string, unknown> {
  if (m.role === 'tool') return { role: 'tool', tool_call_id: m.toolCallId ?? '', content: m.content };
  const out: Record<string, unknown> = { role: m.role, content: m.content };
  // Images go as content parts, the text first: the shape every OpenAI-compatible vision server reads.
  if (m.images?.length)
    out.content = [
      ...(m.content ? [{ type: 'text', text: m.content }] : []),
      ...m.images.map((i) => ({ type: 'image_url', image_url: { url: `data:${i.mime};base64,${i.base64}` } })),
    ];
  if (m.toolCalls?.length)
    out.tool_calls = m.toolCalls.map((c, i) => ({
      id: c.id ?? `call_${i}`,
      type: 'function',
      function: { name: c.name, arguments: JSON.stringify(c.arguments) },
    }));
  return out;
}
