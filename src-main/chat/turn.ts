import { performance } from 'node:perf_hooks';
import type { ChatEvent, ChatMessage, MessageStats, ToolCall } from '../../src-shared/chat.js';
import { VegaError, toErrorValue, type VegaErrorValue } from '../../src-shared/errors.js';
import { DeadlineError, withDeadline } from '../engine/deadline.js';
import type { Logger } from '../engine/logger.js';
import type { ChatAttachments } from '../attachments/service.js';
import type { ContextWindow } from '../models/context-window.js';
import type { ChatTurnRecord } from '../engine/metrics.js';
import type { LlmProvider, LlmToolCall, StreamStats } from '../providers/llm.js';
import { toLlmMessages } from './history.js';
import { newId } from './ids.js';
import { unseenTarget } from './outbound-rule.js';
import { messageRecord, type ConversationState } from './records.js';
import type { HistoryStore } from './store.js';
import { StreamScrubber } from './stream-scrub.js';
import type { ToolRegistry } from './tools.js';

export interface ToolLimits {
  /** Model calls that may be offered tools in one turn; the next call must answer in words. */
  readonly maxSteps: number;
  /** Time the tools of one turn may take together, ms. */
  readonly budgetMs: number;
  /** How long a state-changing call waits for the person's answer before it counts as declined, ms. */
  readonly confirmMs: number;
}

export const DEFAULT_TOOL_LIMITS: ToolLimits = { maxSteps: 5, budgetMs: 60_000, confirmMs: 10 * 60_000 };

export interface TurnDeps {
  readonly store: HistoryStore;
  readonly providers: Readonly<Record<string, LlmProvider>>;
  readonly tools: ToolRegistry;
  readonly emit: (e: ChatEvent) => void;
  readonly llm: { record(r: ChatTurnRecord): void };
  readonly logger: Logger;
  readonly limits: ToolLimits;
  readonly window?: ContextWindow;
  /** Turns the files of user messages into what the model reads. */
  readonly attachments?: Pick<ChatAttachments, 'expand'>;
  /** Replaces known secrets: in the streamed answer and in what a tool gives the model. */
  readonly redact: (text: string) => string;
  readonly streamCut: (text: string) => number;
}

const MAX_TOOL_RESULT_CHARS = 20_000;

interface StepResult {
  readonly message: ChatMessage;
  readonly calls?: readonly LlmToolCall[];
  readonly stopped: boolean;
  readonly error?: VegaErrorValue;
}

/**
 * One answer to one user message: the model's reply streamed into an
 * assistant message, and, when the model calls tools, the bounded loop of
 * call → (confirm) → run → result → next reply. `done` never rejects: a
 * failure or a stop ends in a saved message marked partial.
 */
export class Turn {
  readonly conversationId: string;
  readonly messageId: string;
  readonly requestId: string;
  readonly done: Promise<ChatMessage>;
  readonly #deps: TurnDeps;
  readonly #controller = new AbortController();
  readonly #confirms = new Map<string, (approve: boolean) => void>();
  readonly #onToken: ((text: string) => void) | undefined;

  constructor(deps: TurnDeps, conversationId: string, opts: { requestId: string; onToken?: (text: string) => void }) {
    this.#deps = deps;
    this.conversationId = conversationId;
    this.messageId = newId();
    this.requestId = opts.requestId;
    this.#onToken = opts.onToken;
    this.done = this.#run().catch((err: unknown) => this.#crashed(err));
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  stop(reason = 'Stopped.'): void {
    this.#controller.abort(new DOMException(reason, 'AbortError'));
  }

  /** The person's answer to a state-changing call; false when no call waits under that id. */
  confirm(callId: string, approve: boolean): boolean {
    const resolve = this.#confirms.get(callId);
    if (!resolve) return false;
    resolve(approve);
    return true;
  }

  async #run(): Promise<ChatMessage> {
    const { store, tools, emit, limits } = this.#deps;
    const cid = this.conversationId;
    const started = performance.now();
    let id = this.messageId;
    for (let step = 0; ; step++) {
      const conv = await store.load(cid);
      const offerTools = tools.size > 0 && step < limits.maxSteps && performance.now() - started < limits.budgetMs;
      const result = await this.#streamOnce(conv, id, offerTools);
      if (result.stopped || result.error || !result.calls?.length) {
        await this.#save(result.message);
        if (result.error) emit({ type: 'error', conversationId: cid, messageId: result.message.id, error: result.error });
        emit({ type: 'done', conversationId: cid, message: result.message });
        return result.message;
      }
      let msg: ChatMessage = {
        ...result.message,
        toolCalls: result.calls.map((c): ToolCall => {
          const sendsTo = unseenTarget(tools, c.name, c.arguments, conv.messages);
          const needs = (tools.get(c.name)?.stateChanging ?? false) || sendsTo !== undefined;
          return {
            id: newId(),
            name: c.name,
            arguments: c.arguments,
            needsConfirmation: needs,
            status: needs ? 'pending' : 'approved',
            ...(sendsTo && { sendsTo }),
          };
        }),
      };
      await this.#save(msg);
      emit({ type: 'message', conversationId: cid, message: msg });
      for (const call of msg.toolCalls ?? []) {
        emit({ type: 'tool-call', conversationId: cid, messageId: msg.id, call });
        const final = await this.#handle(call, msg.id, started);
        msg = { ...msg, toolCalls: msg.toolCalls?.map((c) => (c.id === final.id ? final : c)) };
        const toolMsg: ChatMessage = {
          id: newId(),
          role: 'tool',
          content: final.result ?? '',
          createdAt: new Date().toISOString(),
          toolCallId: final.id,
          requestId: this.requestId,
        };
        // The result and the call's new status land in one write: a crash never leaves one without the other.
        await this.#save(toolMsg, msg);
        emit({ type: 'message', conversationId: cid, message: toolMsg });
        emit({ type: 'tool-call', conversationId: cid, messageId: msg.id, call: final });
      }
      emit({ type: 'message', conversationId: cid, message: msg });
      if (this.signal.aborted) {
        emit({ type: 'done', conversationId: cid, message: msg });
        return msg;
      }
      id = newId();
    }
  }

  async #streamOnce(conv: ConversationState, id: string, offerTools: boolean): Promise<StepResult> {
    const { providers, tools, emit, llm, logger } = this.#deps;
    const { model, provider: providerId, systemPrompt, numCtx, overflow } = conv.header;
    const cid = this.conversationId;
    const draft: ChatMessage = {
      id,
      role: 'assistant',
      content: '',
      createdAt: new Date().toISOString(),
      model,
      provider: providerId,
      requestId: this.requestId,
    };
    emit({ type: 'message', conversationId: cid, message: draft });
    const t0 = performance.now();
    let ttftMs: number | undefined;
    let content = '';
    let count = 0;
    let calls: readonly LlmToolCall[] | undefined;
    let stats: StreamStats | undefined;
    let error: VegaErrorValue | undefined;
    let stopped = false;
    // Each piece is scrubbed with what came before it: a secret the model streams in pieces never leaves whole or in part.
    const scrub = new StreamScrubber(this.#deps.redact, this.#deps.streamCut);
    const out = (text: string): void => {
      if (!text) return;
      emit({ type: 'token', conversationId: cid, messageId: id, text });
      this.#onToken?.(text);
    };
    try {
      const provider = providers[providerId];
      if (!provider) throw new VegaError('BAD_REQUEST', `Unknown provider "${providerId}".`);
      const offered = offerTools ? await tools.specs() : [];
      const saved = toLlmMessages(systemPrompt, conv.messages);
      const history = this.#deps.attachments ? await this.#deps.attachments.expand(saved, { provider: providerId, model, numCtx }) : saved;
      const plan = this.#deps.window
        ? await this.#deps.window.prepare({ provider: providerId, model, numCtx, overflow }, history)
        : { messages: history, numCtx: undefined };
      const parts = provider.stream({
        model,
        messages: plan.messages,
        numCtx: plan.numCtx,
        tools: offered.length ? offered : undefined,
        signal: this.signal,
        requestId: this.requestId,
        affinity: cid,
      });
      for await (const part of parts) {
        if (part.type === 'token') {
          ttftMs ??= performance.now() - t0;
          content += part.text;
          count++;
          out(scrub.push(part.text));
        } else if (part.type === 'tool-calls') {
          calls = part.calls;
        } else {
          stats = part.stats;
        }
      }
    } catch (err) {
      if (this.signal.aborted || (err instanceof VegaError && err.code === 'ABORTED')) stopped = true;
      else {
        error = toErrorValue(err);
        if (!(err instanceof VegaError))
          logger.error({ err, conversationId: cid, requestId: this.requestId }, 'chat stream failed unexpectedly');
      }
    }
    out(scrub.end());
    const totalMs = performance.now() - t0;
    const evalTokens = stats?.evalTokens ?? count;
    const genMs = stats?.evalMs ?? (ttftMs !== undefined ? totalMs - ttftMs : undefined);
    const tokensPerSecond = genMs && genMs > 0 && evalTokens > 0 ? (evalTokens * 1000) / genMs : undefined;
    const messageStats: MessageStats = compact({
      promptTokens: stats?.promptTokens,
      evalTokens,
      ttftMs: round1(ttftMs),
      tokensPerSecond: round1(tokensPerSecond),
      totalMs: round1(totalMs),
    });
    llm.record(compact({ ok: !error, provider: providerId, model, ttftMs, tokens: evalTokens, tokensPerSecond }));
    logger.info(
      { conversationId: cid, requestId: this.requestId, provider: providerId, model, ...messageStats, stopped, error: error?.code },
      'chat answer finished',
    );
    const message: ChatMessage = compact({ ...draft, content, stats: messageStats, partial: stopped || error ? true : undefined, error });
    return { message, calls, stopped, error };
  }

  async #handle(call: ToolCall, messageId: string, started: number): Promise<ToolCall> {
    const { tools, emit, limits } = this.#deps;
    const tool = tools.get(call.name);
    // The model reads the result: a service that echoes a token must not hand it over.
    const finish = (status: ToolCall['status'], result: string): ToolCall => ({
      ...call,
      status,
      result: this.#deps.redact(result).slice(0, MAX_TOOL_RESULT_CHARS),
    });
    if (!tool) return finish('failed', `There is no tool named "${call.name}".`);
    if (this.signal.aborted) return finish('failed', 'Stopped before it ran.');
    if (call.needsConfirmation) {
      const approved = await this.#waitForAnswer(call.id);
      if (this.signal.aborted) return finish('failed', 'Stopped before it ran.');
      if (!approved) return finish('denied', 'The user declined this tool call; it was not run.');
      emit({ type: 'tool-call', conversationId: this.conversationId, messageId, call: { ...call, status: 'approved' } });
    }
    const remaining = limits.budgetMs - (performance.now() - started);
    if (remaining <= 0)
      return finish('failed', `The tools' time for this answer (${Math.round(limits.budgetMs / 1000)} s) is spent; it was not run.`);
    try {
      // A tool that ignores its signal must not hold the turn: the deadline ends the wait at the bound.
      const out = await withDeadline(Math.ceil(remaining), (signal) => tool.run(call.arguments, { signal, requestId: this.requestId }), {
        signal: this.signal,
      });
      return finish('done', typeof out === 'string' ? out : JSON.stringify(out));
    } catch (err) {
      const text =
        err instanceof DeadlineError
          ? 'The tool took too long.'
          : this.signal.aborted
            ? 'Stopped.'
            : err instanceof Error
              ? err.message
              : String(err);
      return finish('failed', `Error: ${text}`);
    }
  }

  #waitForAnswer(callId: string): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const end = (approve: boolean) => {
        clearTimeout(timer);
        this.signal.removeEventListener('abort', onAbort);
        this.#confirms.delete(callId);
        resolve(approve);
      };
      const onAbort = () => end(false);
      const timer = setTimeout(() => end(false), this.#deps.limits.confirmMs);
      this.signal.addEventListener('abort', onAbort, { once: true });
      this.#confirms.set(callId, end);
      if (this.signal.aborted) end(false);
    });
  }

  async #save(...messages: ChatMessage[]): Promise<void> {
    try {
      await this.#deps.store.append(this.conversationId, ...messages.map(messageRecord));
    } catch (err) {
      // Deleted mid-answer, or the disk failed: the answer still reaches the screen.
      if (err instanceof VegaError && err.code === 'NOT_FOUND') return;
      this.#deps.logger.error({ err, conversationId: this.conversationId }, 'History: could not save a message');
      // A refused write is the person's to know (and to fix): the answer they see is not in the history.
      if (err instanceof VegaError && (err.code === 'DISK_FULL' || err.code === 'STORAGE_FAILED')) {
        this.#deps.emit({ type: 'error', conversationId: this.conversationId, messageId: null, error: err.toJSON() });
      }
    }
  }

  #crashed(err: unknown): ChatMessage {
    this.#deps.logger.error({ err, conversationId: this.conversationId, requestId: this.requestId }, 'chat turn failed');
    const error = toErrorValue(err);
    const message: ChatMessage = {
      id: this.messageId,
      role: 'assistant',
      content: '',
      createdAt: new Date().toISOString(),
      partial: true,
      error,
      requestId: this.requestId,
    };
    this.#deps.emit({ type: 'error', conversationId: this.conversationId, messageId: this.messageId, error });
    this.#deps.emit({ type: 'done', conversationId: this.conversationId, message });
    return message;
  }
}

function round1(n: number | undefined): number | undefined {
  return n === undefined || !Number.isFinite(n) ? undefined : Math.round(n * 10) / 10;
}

/** Drop undefined fields, so a message reads back from its JSON line exactly as it was written. */
export function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
