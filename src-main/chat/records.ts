import type { ChatMessage, Conversation, ConversationPage, ConversationSummary, ProviderId } from '../../src-shared/chat.js';
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

/** A page of a conversation's messages: the `limit` just before `before` (the newest when absent). */
export interface MessagePage {
  readonly before?: string;
  readonly limit?: number;
}

/**
 * A conversation as records build it; mutable inside the store only. Each
 * message's position is kept by id, so replaying a file, or saving a
 * streamed answer again, finds its message without scanning the list.
 */
export class ConversationState {
  header: HeaderRecord;
  messages: ChatMessage[] = [];
  updatedAt: string;
  readonly #at = new Map<string, number>();

  constructor(header: HeaderRecord) {
    this.header = header;
    this.updatedAt = header.createdAt;
  }

  apply(r: ChangeRecord): void {
    this.updatedAt = r.at;
    switch (r.type) {
      case 'message': {
        const id = r.message.id;
        const i = this.#at.get(id);
        if (i === undefined) {
          this.#at.set(id, this.messages.length);
          this.messages.push(r.message);
        } else this.messages[i] = r.message;
        break;
      }
      case 'meta': {
        const { type: _t, at: _a, ...changes } = r;
        this.header = { ...this.header, ...changes };
        break;
      }
      case 'truncate':
        // Unknown ids leave everything in place rather than dropping the history.
        this.#keep(r.afterMessageId === null ? 0 : (this.#at.get(r.afterMessageId) ?? this.messages.length - 1) + 1);
        break;
      case 'edit': {
        const i = this.#at.get(r.messageId);
        if (i === undefined) break;
        this.#keep(i + 1);
        this.messages[i] = { ...this.messages[i]!, content: r.content };
        break;
      }
    }
  }

  /** Keep the first `count` messages: the cost is in the messages dropped, not in those kept. */
  #keep(count: number): void {
    for (let i = count; i < this.messages.length; i++) this.#at.delete(this.messages[i]!.id);
    this.messages.length = count;
  }

  summary(): ConversationSummary {
    return summaryOf(this.header, this.updatedAt, this.messages.length);
  }

  conversation(): Conversation {
    return { ...this.summary(), systemPrompt: this.header.systemPrompt, messages: [...this.messages] };
  }

  /** The conversation with one page of its messages (all of them without a limit); undefined when `before` is not in it. */
  page(page: MessagePage): ConversationPage | undefined {
    const end = page.before === undefined ? this.messages.length : this.#at.get(page.before);
    if (end === undefined) return undefined;
    const start = page.limit === undefined ? 0 : Math.max(0, end - page.limit);
    return { ...this.summary(), systemPrompt: this.header.systemPrompt, messages: this.messages.slice(start, end), hasMore: start > 0 };
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
