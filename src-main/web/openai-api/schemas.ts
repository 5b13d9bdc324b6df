import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { MAX_MESSAGE_CHARS } from '../../../src-shared/chat.js';
import { toolArguments } from '../../providers/function-tools.js';
import type { LlmMessage, LlmToolSpec, Sampling } from '../../providers/llm.js';
import { readJsonBody } from '../http-util.js';
import { ApiError } from './errors.js';

/**
 * OpenAI's request bodies, checked at the door. Objects are not strict:
 * clients send fields Vega has no use for (`user`, `logprobs`, `metadata`),
 * and OpenAI itself accepts them; what Vega cannot honour is refused by name.
 */

const modelName = z.string().min(1).max(300);
/** The whole of a request is bounded by the 1 MiB body; a text part by the chat's own limit. */
const text = z.string().max(MAX_MESSAGE_CHARS);
/** Text, or text parts; images and audio are refused (no provider here takes them yet). */
const content = z.union([text, z.array(z.object({ type: z.literal('text'), text })).max(100)]);

const toolCall = z.object({
  id: z.string().min(1).max(200),
  type: z.literal('function'),
  function: z.object({ name: z.string().min(1).max(64), arguments: z.string().max(MAX_MESSAGE_CHARS) }),
});

const message = z.discriminatedUnion('role', [
  z.object({ role: z.enum(['system', 'developer', 'user']), content }),
  z.object({ role: z.literal('assistant'), content: content.nullish(), tool_calls: z.array(toolCall).max(128).nullish() }),
  z.object({ role: z.literal('tool'), content, tool_call_id: z.string().min(1).max(200) }),
]);

const tool = z.object({
  type: z.literal('function'),
  function: z.object({
    name: z.string().regex(/^[\w-]{1,64}$/, 'a function name is 1 to 64 letters, digits, _ or -'),
    description: z.string().max(10_000).optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
  }),
});

const toolChoice = z.union([
  z.enum(['auto', 'none', 'required']),
  z.object({ type: z.literal('function'), function: z.object({ name: z.string().min(1).max(64) }) }),
]);

export const ChatCompletionRequest = z.object({
  model: modelName,
  messages: z.array(message).min(1).max(10_000),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().nullish() }).nullish(),
  tools: z.array(tool).max(128).nullish(),
  tool_choice: toolChoice.nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
  seed: z.number().int().nullish(),
  n: z.literal(1, 'only one choice (n = 1) is made').nullish(),
});
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequest>;

export const EmbeddingRequest = z.object({
  model: modelName,
  input: z.union([text.min(1), z.array(text.min(1)).min(1).max(2048)], 'input is a text or a list of texts (token arrays are not taken)'),
  encoding_format: z.enum(['float', 'base64']).nullish(),
  dimensions: z.undefined('dimensions cannot be chosen here: the model gives its own').nullish(),
});
export type EmbeddingRequest = z.infer<typeof EmbeddingRequest>;

/** The body, parsed by `schema`; a refusal names the first field at fault, as OpenAI's `param` does (`messages.[0].content`). */
export async function readRequest<T>(req: IncomingMessage, schema: z.ZodType<T>): Promise<T> {
  const parsed = schema.safeParse(await readJsonBody(req));
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const param = issue?.path.length ? issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.') : null;
  throw new ApiError(400, 'BAD_REQUEST', `Invalid request${param ? ` at ${param}` : ''}: ${issue?.message ?? 'rejected'}.`, param);
}

/** The client's messages as the providers take them; a tool's result is matched to its call's name (Ollama keys by name). */
export function toLlmMessages(messages: ChatCompletionRequest['messages']): LlmMessage[] {
  const names = new Map<string, string>();
  return messages.map((m): LlmMessage => {
    if (m.role === 'tool')
      return { role: 'tool', content: joined(m.content), toolCallId: m.tool_call_id, toolName: names.get(m.tool_call_id) };
    if (m.role !== 'assistant') return { role: m.role === 'developer' ? 'system' : m.role, content: joined(m.content) };
    const calls = (m.tool_calls ?? []).map((c) => {
      names.set(c.id, c.function.name);
      return { id: c.id, name: c.function.name, arguments: toolArguments(c.function.arguments) };
    });
    return { role: 'assistant', content: joined(m.content), ...(calls.length ? { toolCalls: calls } : {}) };
  });
}

export function toToolSpecs(tools: ChatCompletionRequest['tools']): LlmToolSpec[] | undefined {
  if (!tools?.length) return undefined;
  return tools.map((t) => ({
    name: t.function.name,
    description: t.function.description ?? '',
    parameters: t.function.parameters ?? { type: 'object', properties: {} },
  }));
}

export function toSampling(b: ChatCompletionRequest): Sampling {
  const stop = typeof b.stop === 'string' ? [b.stop] : (b.stop ?? undefined);
  return {
    temperature: b.temperature ?? undefined,
    topP: b.top_p ?? undefined,
    maxTokens: b.max_completion_tokens ?? b.max_tokens ?? undefined,
    stop,
    seed: b.seed ?? undefined,
  };
}

function joined(c: z.infer<typeof content> | null | undefined): string {
  if (c === null || c === undefined) return '';
  return typeof c === 'string' ? c : c.map((p) => p.text).join('');
}
