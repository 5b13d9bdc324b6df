import type { AttachmentRef } from '../../src-shared/attachments.js';
import type { LoadedModel, ModelInfo, ProviderHealth, ProviderId } from '../../src-shared/chat.js';

/** A message as the providers send it: the chat history reduced to what a model reads. */
export interface LlmMessage {
  readonly role: 'system' | 'user' | 'assistant' | 'tool';
  readonly content: string;
  readonly toolCalls?: readonly LlmToolCall[];
  /** For role 'tool': which call this answers, and its tool's name (Ollama keys by name). */
  readonly toolCallId?: string;
  readonly toolName?: string;
  /** User messages: images for a model that can see, base64 (Ollama's shape; OpenAI-compatible servers get data URLs). */
  readonly images?: readonly LlmImage[];
  /** User messages: the files as saved, until the attachments service turns them into `images` and text blocks. */
  readonly attachments?: readonly AttachmentRef[];
}

export interface LlmImage {
  readonly mime: string;
  readonly base64: string;
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
  /** What keeps turns on one server of a fleet while it is healthy (the conversation: its KV cache is warm there). */
  readonly affinity?: string;
  /** The conversation's context size (Ollama's `num_ctx`); servers without one ignore it. */
  readonly numCtx?: number;
  /** Whether and which tool the model must call (OpenAI's `tool_choice`); servers that cannot be told hear only `none`, as no tools. */
  readonly toolChoice?: ToolChoice;
  /** A caller's sampling wishes (the OpenAI-compatible door); each server gets them in its own words. */
  readonly sampling?: Sampling;
}

export type ToolChoice = 'auto' | 'none' | 'required' | { readonly type: 'function'; readonly function: { readonly name: string } };

export interface Sampling {
  readonly temperature?: number;
  readonly topP?: number;
  readonly maxTokens?: number;
  readonly stop?: readonly string[];
  readonly seed?: number;
}

/** What an embedding call answers: one vector per input, in order. */
export interface Embeddings {
  readonly vectors: readonly (readonly number[])[];
  readonly promptTokens?: number;
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
  /** Vectors for the inputs; only servers that have embeddings implement it. Throws VegaError. */
  embed?(model: string, input: readonly string[], signal?: AbortSignal): Promise<Embeddings>;
}
