import type { ProviderId } from '../../src-shared/chat.js';
import { estimateTokens, historyBudget, type ContextOverflow } from '../../src-shared/models.js';
import type { Logger } from '../engine/logger.js';
import type { LlmMessage } from '../providers/llm.js';

/** What a turn needs to know of its conversation to fit its history in the window. */
export interface WindowSettings {
  readonly provider: ProviderId;
  readonly model: string;
  readonly numCtx?: number;
  readonly overflow?: ContextOverflow;
}

export interface WindowPlan {
  readonly messages: LlmMessage[];
  /** Sent as Ollama's `num_ctx`. */
  readonly numCtx?: number;
}

function messageTokens(m: LlmMessage): number {
  return estimateTokens(m.content) + (m.toolCalls?.length ? estimateTokens(JSON.stringify(m.toolCalls)) : 0);
}

/**
 * Drop whole turns (a user message and everything answering it) from the
 * oldest, until the history fits `budget` tokens. System messages and the
 * last turn always stay: a tool call is never separated from its result.
 */
export function fitToBudget(messages: readonly LlmMessage[], budget: number): { messages: LlmMessage[]; dropped: number } {
  const system = messages.filter((m) => m.role === 'system');
  const rest = messages.filter((m) => m.role !== 'system');
  let total = messages.reduce((n, m) => n + messageTokens(m), 0);
  let from = 0;
  let dropped = 0;
  // Cut only where a user message starts, so the last cut keeps the last turn.
  for (let cut = 1; cut < rest.length && total > budget; cut++) {
    if (rest[cut]!.role !== 'user') continue;
    total -= rest.slice(from, cut).reduce((n, m) => n + messageTokens(m), 0);
    from = cut;
    dropped++;
  }
  return { messages: [...system, ...rest.slice(from)], dropped };
}

/**
 * The history as it goes to the model: `num_ctx` for Ollama when the
 * conversation sets one and, when the person chose "drop the oldest turns",
 * only as many turns as fit the window (the conversation's `num_ctx`, else
 * the model's own, from `limitOf`).
 */
export class ContextWindow {
  readonly #limitOf: (provider: ProviderId, model: string) => Promise<number | null>;
  readonly #logger: Logger;

  constructor(limitOf: (provider: ProviderId, model: string) => Promise<number | null>, logger: Logger) {
    this.#limitOf = limitOf;
    this.#logger = logger;
  }

  async prepare(s: WindowSettings, messages: LlmMessage[]): Promise<WindowPlan> {
    const numCtx = s.provider === 'ollama' && s.numCtx ? s.numCtx : undefined;
    if (s.overflow !== 'drop-oldest') return { messages, numCtx };
    const limit = numCtx ?? (await this.#limitOf(s.provider, s.model).catch(() => null));
    if (!limit) return { messages, numCtx };
    const { messages: fitted, dropped } = fitToBudget(messages, historyBudget(limit));
    if (dropped)
      this.#logger.debug({ model: s.model, limit, dropped }, `Context: the ${dropped} oldest turns left out to fit ${limit} tokens`);
    return { messages: fitted, numCtx };
  }
}
