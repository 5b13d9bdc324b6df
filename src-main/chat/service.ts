import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { ChatEvent, ChatMessage, ConversationPage, ConversationSummary, ModelInfo, ProviderId } from '../../src-shared/chat.js';
import type { ContextOverflow } from '../../src-shared/models.js';
import type { AttachmentRef } from '../../src-shared/attachments.js';
import { VegaError } from '../../src-shared/errors.js';
import type { ChatAttachments } from '../attachments/service.js';
import type { Logger } from '../engine/logger.js';
import type { ChatTurnRecord } from '../engine/metrics.js';
import type { StorageReporter } from '../engine/storage-metrics.js';
import type { ContextWindow } from '../models/context-window.js';
import type { LlmProvider } from '../providers/llm.js';
import { exportConversation, type ExportFile } from './export.js';
import { newId } from './ids.js';
import { messageRecord, type HeaderRecord, type MessagePage, type MetaRecord } from './records.js';
import { HistoryStore } from './store.js';
import { TokenQueue } from './token-queue.js';
import type { ToolRegistry } from './tools.js';
import { DEFAULT_TOOL_LIMITS, Turn, compact, type ToolLimits } from './turn.js';

export interface ChatServiceOptions {
  /** Where the conversation files live: `<dataDir>/conversations`. */
  readonly dir: string;
  readonly logger: Logger;
  /** Replaces known secrets in what is written to the history, streamed out, and given to the model as a tool's result. */
  readonly redact?: (text: string) => string;
  /** How much of a text still streaming may be redacted and sent now: a secret may be starting at the end. */
  readonly streamCut?: (text: string) => number;
  readonly providers: Readonly<Record<ProviderId, LlmProvider>>;
  readonly tools: ToolRegistry;
  readonly emit: (e: ChatEvent) => void;
  readonly llm: { record(r: ChatTurnRecord): void };
  /** Where the history store reports its figures (the engine's storage metrics). */
  readonly storage?: StorageReporter;
  /** The model for a new conversation (VEGA_MODEL), read when one is created. */
  readonly defaultModel: () => Promise<string>;
  readonly toolLimits?: Partial<ToolLimits>;
  /** Fits each turn's history into the model's window (num_ctx, the person's overflow choice). */
  readonly window?: ContextWindow;
  /** Files attached to user messages (issue 18): checked at send, expanded for the model, released with their conversation. */
  readonly attachments?: ChatAttachments;
}

export interface CreateParams {
  readonly title?: string;
  readonly model?: string;
  readonly provider?: ProviderId;
  readonly systemPrompt?: string;
}

export interface CompleteParams {
  readonly prompt: string;
  /** Continue this conversation (its earlier messages go to the model); a new one is made when absent. */
  readonly conversationId?: string;
  /** For a new conversation; for an existing one, switches its model from now on. */
  readonly model?: string;
  readonly provider?: ProviderId;
  readonly systemPrompt?: string;
  readonly requestId?: string;
  /** Ids from `attachments:add` (POST /chat's files and images). */
  readonly attachments?: readonly string[];
  /** Abort = stop: the partial answer is kept. */
  readonly signal?: AbortSignal;
}

/** The answer to `complete()`: iterate it for tokens as they come. */
export interface Completion extends AsyncIterable<string> {
  readonly conversationId: string;
  /** The (first) assistant message of this answer. */
  readonly messageId: string;
  /** The final assistant message, partial and with `error` when cut short; never rejects. */
  readonly done: Promise<ChatMessage>;
}

const TITLE_CHARS = 60;
const DEFAULT_TITLE = 'New chat';

/**
 * Conversations and their turns: what every `chat:*` call does, whichever
 * host it came through. One turn runs per conversation at a time.
 */
export class ChatService {
  readonly store: HistoryStore;
  readonly tools: ToolRegistry;
  readonly #o: ChatServiceOptions;
  readonly #limits: ToolLimits;
  readonly #turns = new Map<string, Turn>();
  #closing = false;

  private constructor(store: HistoryStore, o: ChatServiceOptions) {
    this.store = store;
    this.tools = o.tools;
    this.#o = o;
    this.#limits = { ...DEFAULT_TOOL_LIMITS, ...o.toolLimits };
  }

  static async open(o: ChatServiceOptions): Promise<ChatService> {
    return new ChatService(await HistoryStore.open(o.dir, o.logger, o.redact, o.storage), o);
  }

  static dirFor(dataDir: string): string {
    return path.join(dataDir, 'conversations');
  }

  list(query?: string): ConversationSummary[] {
    return this.store.list(query);
  }

  /** The conversation with every message, or one page of them (`limit` before the message `before`, the newest without it). */
  async get(conversationId: string, page: MessagePage = {}): Promise<ConversationPage> {
    const conversation = (await this.store.load(conversationId)).page(page);
    if (!conversation) throw new VegaError('NOT_FOUND', 'That message is not in this conversation (it may have been edited away).');
    return conversation;
  }

  async create(p: CreateParams = {}): Promise<ConversationSummary> {
    const title = p.title?.trim();
    const header: HeaderRecord = {
      type: 'header',
      v: 1,
      id: newId(),
      title: title || DEFAULT_TITLE,
      ...(title ? {} : { titleAuto: true }),
      model: p.model?.trim() || (await this.#o.defaultModel()),
      provider: p.provider ?? 'ollama',
      systemPrompt: p.systemPrompt ?? '',
      createdAt: new Date().toISOString(),
    };
    const state = await this.store.create(header);
    this.#changed(header.id);
    return state.summary();
  }

  async update(
    p: { conversationId: string; numCtx?: number; resetNumCtx?: true; overflow?: ContextOverflow } & CreateParams,
  ): Promise<ConversationSummary> {
    const { conversationId, ...changes } = p;
    const meta: MetaRecord = compact({
      type: 'meta',
      at: new Date().toISOString(),
      title: changes.title?.trim() || undefined,
      titleAuto: changes.title?.trim() ? false : undefined,
      model: changes.model?.trim() || undefined,
      provider: changes.provider,
      systemPrompt: changes.systemPrompt,
      // 0 in the record: the model's default again (a meta record cannot unset a field).
      numCtx: changes.resetNumCtx ? 0 : changes.numCtx,
      overflow: changes.overflow,
    });
    const state = await this.store.append(conversationId, meta);
    this.#changed(conversationId);
    return state.summary();
  }

  async delete(conversationId: string): Promise<{ deleted: boolean }> {
    const turn = this.#turns.get(conversationId);
    if (turn) {
      turn.stop();
      await turn.done;
    }
    const deleted = await this.store.remove(conversationId);
    if (deleted) await this.#o.attachments?.released(conversationId);
    if (deleted) this.#o.emit({ type: 'conversation-deleted', conversationId });
    return { deleted };
  }

  /** Save the user's message and start the answer; resolves at once with the answer's message id. */
  async send(
    conversationId: string,
    text: string,
    opts: {
      requestId?: string;
      onToken?: (t: string) => void;
      attachments?: readonly string[];
      includeFirstPart?: boolean;
    } = {},
  ): Promise<{ messageId: string }> {
    this.#idle(conversationId);
    const state = await this.store.load(conversationId);
    // Checked before anything is saved or sent: a refused image or an oversized document leaves no message behind.
    const files = opts.attachments?.length ? await this.#attachmentsFor(conversationId, state.header, text, opts) : undefined;
    const user: ChatMessage = {
      id: newId(),
      role: 'user',
      content: text,
      createdAt: new Date().toISOString(),
      ...(opts.requestId ? { requestId: opts.requestId } : {}),
      ...(files?.length ? { attachments: files } : {}),
    };
    const records = [messageRecord(user)];
    const titled = state.header.titleAuto && !state.messages.some((m) => m.role === 'user');
    await this.store.append(
      conversationId,
      ...records,
      ...(titled
        ? [
            {
              type: 'meta' as const,
              at: user.createdAt,
              title: titleFrom(text || (files?.map((f) => f.name).join(', ') ?? '')),
              titleAuto: false,
            },
          ]
        : []),
    );
    this.#o.emit({ type: 'message', conversationId, message: user });
    if (titled) this.#changed(conversationId);
    return { messageId: this.#start(conversationId, opts).messageId };
  }

  /** Answer the last user message again: the answers after it are dropped from the history. */
  async regenerate(conversationId: string, opts: { requestId?: string } = {}): Promise<{ messageId: string }> {
    this.#idle(conversationId);
    const state = await this.store.load(conversationId);
    const lastUser = state.messages.findLast((m) => m.role === 'user');
    if (!lastUser) throw new VegaError('BAD_REQUEST', 'There is no message to answer again yet.');
    await this.store.append(conversationId, { type: 'truncate', at: new Date().toISOString(), afterMessageId: lastUser.id });
    return { messageId: this.#start(conversationId, opts).messageId };
  }

  /** Replace a user message's text, drop everything after it, and answer it again. */
  async edit(conversationId: string, messageId: string, text: string, opts: { requestId?: string } = {}): Promise<{ messageId: string }> {
    this.#idle(conversationId);
    const state = await this.store.load(conversationId);
    const target = state.messages.find((m) => m.id === messageId);
    if (!target) throw new VegaError('NOT_FOUND', 'That message is not in this conversation.');
    if (target.role !== 'user') throw new VegaError('BAD_REQUEST', 'Only your own messages can be edited.');
    const after = await this.store.append(conversationId, { type: 'edit', at: new Date().toISOString(), messageId, content: text });
    const edited = after.messages.find((m) => m.id === messageId);
    if (edited) this.#o.emit({ type: 'message', conversationId, message: edited });
    return { messageId: this.#start(conversationId, opts).messageId };
  }

  /** Stop the running answer; resolves once its partial text is saved. */
  async stop(conversationId: string): Promise<{ stopped: boolean }> {
    const turn = this.#turns.get(conversationId);
    if (!turn) return { stopped: false };
    turn.stop();
    await turn.done;
    return { stopped: true };
  }

  confirmTool(conversationId: string, callId: string, approve: boolean): { ok: boolean } {
    return { ok: this.#turns.get(conversationId)?.confirm(callId, approve) ?? false };
  }

  /** The running answer of a conversation, if any (tests and hosts wait on `done`). */
  running(conversationId: string): Turn | undefined {
    return this.#turns.get(conversationId);
  }

  async export(conversationId: string, format: 'markdown' | 'json'): Promise<ExportFile> {
    const conversation = await this.get(conversationId);
    const refs = conversation.messages.flatMap((m) => m.attachments ?? []);
    const files = format === 'json' && refs.length ? await this.#o.attachments?.files(refs) : undefined;
    return exportConversation(conversation, format, files);
  }

  models(provider: ProviderId, signal?: AbortSignal): Promise<ModelInfo[]> {
    return this.#o.providers[provider].models(signal);
  }

  /**
   * One prompt in, tokens out: the web host's POST /chat. A `conversationId`
   * continues that conversation, from disk if the process restarted.
   */
  async complete(p: CompleteParams): Promise<Completion> {
    let conversationId = p.conversationId;
    if (conversationId) {
      const s = this.store.summary(conversationId);
      if ((p.model && p.model !== s.model) || (p.provider && p.provider !== s.provider)) {
        await this.update({ conversationId, model: p.model, provider: p.provider });
      }
    } else {
      conversationId = (await this.create({ model: p.model, provider: p.provider, systemPrompt: p.systemPrompt })).id;
    }
    const cid = conversationId;
    const queue = new TokenQueue(() => void this.stop(cid));
    const { messageId } = await this.send(cid, p.prompt, {
      requestId: p.requestId,
      onToken: (t) => queue.push(t),
      attachments: p.attachments,
    });
    const turn = this.#turns.get(cid);
    const done = turn
      ? turn.done
      : this.store.load(cid).then((s) => s.messages.find((m) => m.id === messageId) ?? s.messages[s.messages.length - 1]!);
    if (p.signal) {
      const onAbort = () => void this.stop(cid);
      if (p.signal.aborted) onAbort();
      else p.signal.addEventListener('abort', onAbort, { once: true });
      void done.finally(() => p.signal?.removeEventListener('abort', onAbort));
    }
    void done.then((m) => queue.end(m.error && m.error.code !== 'ABORTED' ? new VegaError(m.error.code, m.error.message) : undefined));
    return { conversationId: cid, messageId, done, [Symbol.asyncIterator]: () => queue[Symbol.asyncIterator]() };
  }

  /** Stop every answer and wait for their partial text to be saved (shutdown, llm phase). */
  async close(): Promise<void> {
    this.#closing = true;
    const turns = [...this.#turns.values()];
    for (const t of turns) t.stop('Vega is shutting down.');
    await Promise.all(turns.map((t) => t.done));
    await this.store.flush();
  }

  #idle(conversationId: string): void {
    if (this.#closing) throw new VegaError('SHUTTING_DOWN', 'Vega is shutting down; no new answers are started.');
    if (this.#turns.has(conversationId))
      throw new VegaError('BAD_REQUEST', 'This conversation is still answering — stop it or wait for the answer to finish.');
    if (!this.store.has(conversationId)) throw new VegaError('NOT_FOUND', 'That conversation does not exist (it may have been deleted).');
  }

  #start(conversationId: string, opts: { requestId?: string; onToken?: (t: string) => void }): Turn {
    const turn = new Turn(
      {
        store: this.store,
        providers: this.#o.providers,
        tools: this.tools,
        emit: this.#o.emit,
        llm: this.#o.llm,
        logger: this.#o.logger,
        limits: this.#limits,
        window: this.#o.window,
        attachments: this.#o.attachments,
        redact: this.#o.redact ?? ((t) => t),
        streamCut: this.#o.streamCut ?? ((t) => t.length),
      },
      conversationId,
      { requestId: opts.requestId ?? randomUUID(), onToken: opts.onToken },
    );
    this.#turns.set(conversationId, turn);
    void turn.done.then(() => {
      if (this.#turns.get(conversationId) === turn) this.#turns.delete(conversationId);
      this.#changed(conversationId);
    });
    return turn;
  }

  #attachmentsFor(
    conversationId: string,
    header: HeaderRecord,
    text: string,
    opts: { attachments?: readonly string[]; includeFirstPart?: boolean },
  ): Promise<AttachmentRef[]> {
    if (!this.#o.attachments) throw new VegaError('BAD_REQUEST', 'This Vega takes no attachments.');
    return this.#o.attachments.prepare({
      conversationId,
      ids: opts.attachments ?? [],
      text,
      includeFirstPart: opts.includeFirstPart,
      provider: header.provider,
      model: header.model,
      ...(header.numCtx ? { numCtx: header.numCtx } : {}),
    });
  }

  /** That one line of the list, not the list: with many conversations a whole list per change costs every window megabytes. */
  #changed(conversationId: string): void {
    // Deleted while its answer ended: the delete has been announced already.
    if (this.store.has(conversationId)) this.#o.emit({ type: 'conversation', conversationId, summary: this.store.summary(conversationId) });
  }
}

/** The first line of the first message, cut at a word near 60 characters. */
export function titleFrom(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  if (line.length <= TITLE_CHARS) return line || DEFAULT_TITLE;
  const cut = line.slice(0, TITLE_CHARS);
  const space = cut.lastIndexOf(' ');
  return `${(space > TITLE_CHARS / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
