import { z } from 'zod';
import type { AttachmentRef } from './attachments.js';
import type { VegaErrorValue } from './errors.js';
import type { ContextOverflow } from './models.js';

export const PROVIDERS = ['ollama', 'openai'] as const;
export type ProviderId = (typeof PROVIDERS)[number];

export const ID = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'an id of letters, digits, - or _');
export const MAX_MESSAGE_CHARS = 200_000;

export type Role = 'system' | 'user' | 'assistant' | 'tool';

export interface ToolCall {
  readonly id: string;
  readonly name: string;
  readonly arguments: Record<string, unknown>;
  /** State-changing calls wait for the person's yes. */
  readonly needsConfirmation: boolean;
  /**
   * Why a call that only reads waits too: the URL it would send a request to,
   * unseen in the conversation after the model read tool results. Shown whole.
   */
  readonly sendsTo?: string;
  readonly status: 'pending' | 'approved' | 'denied' | 'done' | 'failed';
  readonly result?: string;
}

export interface MessageStats {
  readonly promptTokens?: number;
  readonly evalTokens?: number;
  /** Time to first token, ms. */
  readonly ttftMs?: number;
  readonly tokensPerSecond?: number;
  readonly totalMs?: number;
}

export interface ChatMessage {
  readonly id: string;
  readonly role: Role;
  readonly content: string;
  /** ISO 8601. */
  readonly createdAt: string;
  readonly model?: string;
  readonly provider?: ProviderId;
  readonly stats?: MessageStats;
  /** The answer was cut short (stopped, or the provider failed mid-stream); content is what arrived. */
  readonly partial?: boolean;
  readonly error?: VegaErrorValue;
  readonly toolCalls?: readonly ToolCall[];
  /** For role 'tool': which call this answers. */
  readonly toolCallId?: string;
  readonly requestId?: string;
  /** User messages: the files attached (references; bytes are fetched on demand with `attachments:get`). */
  readonly attachments?: readonly AttachmentRef[];
}

/** A line of the conversation list: small, so that a list of a thousand costs little to send. */
export interface ConversationSummary {
  readonly id: string;
  readonly title: string;
  readonly model: string;
  readonly provider: ProviderId;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly messageCount: number;
  /** Ollama's context size for this conversation; absent: the model's default. */
  readonly numCtx?: number;
  /** The person's choice when the next message would not fit the context window; absent: ask. */
  readonly overflow?: ContextOverflow;
}

export interface Conversation extends ConversationSummary {
  /** Only with the conversation itself (`chat:get`), never in the list or its change events. */
  readonly systemPrompt: string;
  readonly messages: readonly ChatMessage[];
}

/** What `chat:get` answers: the conversation with one page of its messages, oldest first. */
export interface ConversationPage extends Conversation {
  /** Older messages than the first of this page exist: ask again with `before` set to its id. */
  readonly hasMore: boolean;
}

/** Messages in a page of `chat:get` when the window asks: a screenful and more, a small frame even for long answers. */
export const MESSAGE_PAGE_MAX = 500;

export interface ModelInfo {
  readonly name: string;
  readonly size?: number;
  readonly family?: string;
  readonly parameterSize?: string;
  readonly quantization?: string;
}

export interface LoadedModel {
  readonly name: string;
  readonly size: number;
  readonly sizeVram: number;
  /** ISO 8601: when the server unloads it. */
  readonly expiresAt: string | null;
}

export interface ProviderHealth {
  readonly id: string;
  readonly kind: 'llm' | 'integration';
  readonly configured: boolean;
  readonly reachable: boolean;
  readonly latencyMs: number | null;
  readonly lastError: string | null;
  readonly checkedAt: string | null;
}

/** Pushed while a turn runs; the renderer appends tokens to the message with that id. */
export type ChatEvent =
  | { readonly type: 'message'; readonly conversationId: string; readonly message: ChatMessage }
  | { readonly type: 'token'; readonly conversationId: string; readonly messageId: string; readonly text: string }
  | { readonly type: 'tool-call'; readonly conversationId: string; readonly messageId: string; readonly call: ToolCall }
  | { readonly type: 'done'; readonly conversationId: string; readonly message: ChatMessage }
  | { readonly type: 'error'; readonly conversationId: string; readonly messageId: string | null; readonly error: VegaErrorValue }
  /** A conversation was created, or its summary changed (title, model, messages): that one line of the list, never the whole list. */
  | { readonly type: 'conversation'; readonly conversationId: string; readonly summary: ConversationSummary }
  | { readonly type: 'conversation-deleted'; readonly conversationId: string };
