import type { LoadedModel, ModelInfo, ProviderHealth, ProviderId } from '../../src-shared/chat.js';

/** A message as the providers send it: the chat history reduced to what a model reads. */
export interface LlmMessage {
  readonly role: 'system' | 'user' | 'assistant' | 'tool';
  readonly content: string;
  readonly toolCalls?: readonly LlmToolCall[];
  /** For role 'tool': which call this answers, and its tool's name (Ollama keys by name). */
  readonly toolCallId?: string;
  readonly toolName?: string;
}

export interface LlmToolCall {
  /** Set when the server gives one (OpenAI always, Ollama in newer versions). */
  readonly id?: string;
  readonly name: string;
  readonly arguments: Record<string, unknown>;
}

export interface LlmToolSpec {
  readonly name: string;
  readonly description: string;
  /** JSON schema of the arguments object. */
  readonly parameters: Record<string, unknown>;
}

export interface StreamRequest {
  readonly model: string;
  readonly messages: readonly LlmMessage[];
  readonly tools?: readonly LlmToolSpec[];
  readonly signal?: AbortSignal;
  /** Sent as x-request-id, so a turn can be followed into the server's log. */
  readonly requestId?: string;
  /** The conversation's context size (Ollama's `num_ctx`); servers without one ignore it. */
  readonly numCtx?: number;
}

export interface StreamStats {
  readonly promptTokens?: number;
  readonly evalTokens?: number;
  /** Generation time as the server measured it, ms. */
  readonly evalMs?: number;
  readonly doneReason?: string;
}

export type StreamPart =
  | { readonly type: 'token'; readonly text: string }
  | { readonly type: 'tool-calls'; readonly calls: readonly LlmToolCall[] }
  | { readonly type: 'done'; readonly stats: StreamStats };

export interface LlmProvider {
  readonly id: ProviderId;
  /** Tokens as they arrive, then tool calls (if any), then one 'done'. Throws VegaError. */
  stream(req: StreamRequest): AsyncGenerator<StreamPart, void, undefined>;
  models(signal?: AbortSignal): Promise<ModelInfo[]>;
  /** Bounded by `timeoutMs`; never throws. */
  health(timeoutMs: number): Promise<ProviderHealth>;
  /** Models held in memory by the server (Ollama's /api/ps); [] where unknown. */
  loaded(timeoutMs: number): Promise<LoadedModel[]>;
  /** Abort every stream in flight (shutdown). */
  abortAll(): void;
}
