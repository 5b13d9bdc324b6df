import type { ChatMessage, Conversation, ConversationSummary, ProviderId } from '../../src-shared/chat.js';
import type { ContextOverflow } from '../../src-shared/models.js';

/**
 * The lines of a conversation file. The file is append-only: a change is a
 * new record, and the conversation is what replaying them gives. A message
 * record whose id is already present replaces that message in place.
 */
export interface HeaderRecord {
  readonly type: 'header';
  readonly v: 1;
  readonly id: string;
  readonly title: string;
  /** The title was not chosen: the first user message names the conversation. */
  readonly titleAuto?: boolean;
  readonly model: string;
  readonly provider: ProviderId;
  readonly systemPrompt: string;
  readonly createdAt: string;
  /** Ollama's context size; absent or 0: the model's default. Histories written before it have none. */
  readonly numCtx?: number;
  readonly overflow?: ContextOverflow;
}

/** `id` and `at` come right after `type`, so a listing can read them without parsing the message. */
export interface MessageRecord {
  readonly type: 'message';
  readonly id: string;
  readonly at: string;
  readonly message: ChatMessage;
}

export interface MetaRecord {
  readonly type: 'meta';
  readonly at: string;
  readonly title?: string;
  readonly titleAuto?: boolean;
  readonly model?: string;
  readonly provider?: ProviderId;
  readonly systemPrompt?: string;
  readonly numCtx?: number;
  readonly overflow?: ContextOverflow;
}

/** Drops every message after `afterMessageId` (null: all of them), as regenerate does. */
export interface TruncateRecord {
  readonly type: 'truncate';
  readonly at: string;
  readonly afterMessageId: string | null;
}

/** A user message's text replaced, and everything after it dropped. */
export interface EditRecord {
  readonly type: 'edit';
  readonly at: string;
  readonly messageId: string;
  readonly content: string;
}

export type ChangeRecord = MessageRecord | MetaRecord | TruncateRecord | EditRecord;
export type StoreRecord = HeaderRecord | ChangeRecord;

export function messageRecord(message: ChatMessage): MessageRecord {
  return { type: 'message', id: message.id, at: new Date().toISOString(), message };
}

/** A conversation as records build it; mutable inside the store only. */
export class ConversationState {
  header: HeaderRecord;
  messages: ChatMessage[] = [];
  updatedAt: string;

  constructor(header: HeaderRecord) {
    this.header = header;
    this.updatedAt = header.createdAt;
  }

  apply(r: ChangeRecord): void {
    this.updatedAt = r.at;
    switch (r.type) {
      case 'message': {
        const i = this.messages.findIndex((m) => m.id === r.message.id);
        if (i === -1) this.messages.push(r.message);
        else this.messages[i] = r.message;
        break;
      }
      case 'meta': {
        const { type: _t, at: _a, ...changes } = r;
        this.header = { ...this.header, ...changes };
        break;
      }
      case 'truncate':
        this.messages = r.afterMessageId === null ? [] : this.messages.slice(0, this.#index(r.afterMessageId) + 1);
        break;
      case 'edit': {
        const i = this.messages.findIndex((m) => m.id === r.messageId);
        if (i === -1) break;
        this.messages = this.messages.slice(0, i + 1);
        this.messages[i] = { ...this.messages[i]!, content: r.content };
        break;
      }
    }
  }

  /** Unknown ids leave everything in place rather than dropping the history. */
  #index(id: string): number {
    const i = this.messages.findIndex((m) => m.id === id);
    return i === -1 ? this.messages.length - 1 : i;
  }

  summary(): ConversationSummary {
    return summaryOf(this.header, this.updatedAt, this.messages.length);
  }

  conversation(): Conversation {
    return { ...this.summary(), systemPrompt: this.header.systemPrompt, messages: [...this.messages] };
  }
}

export function summaryOf(h: HeaderRecord, updatedAt: string, messageCount: number): ConversationSummary {
  return {
    id: h.id,
    title: h.title,
    model: h.model,
    provider: h.provider,
    createdAt: h.createdAt,
    updatedAt,
    messageCount,
    ...(h.numCtx ? { numCtx: h.numCtx } : {}),
    ...(h.overflow ? { overflow: h.overflow } : {}),
  };
}
