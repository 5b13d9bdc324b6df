import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { ProviderId } from '../../../src-shared/chat.js';
import { toErrorValue } from '../../../src-shared/errors.js';
import type { VegaApp } from '../../app/create-app.js';
import { clientName } from '../../engine/api-metrics.js';
import type { StreamStats } from '../../providers/llm.js';
import { ModelCatalog } from './catalog.js';

export type CallKind = 'completion' | 'embedding';

/** One call through the door, filled in by its handler: which model served it and what it came to. */
export class ApiCall {
  readonly client: string;
  readonly started = performance.now();
  provider?: ProviderId;
  model?: string;
  /** Tokens streamed, for servers that do not count them. */
  tokens = 0;
  stats?: StreamStats;
  ttftMs?: number;
  /** Set when the call failed, also after its answer began (the status was already 200). */
  error?: unknown;
  /** The client went away before the end; the upstream call was aborted. */
  hungUp = false;

  constructor(
    req: IncomingMessage,
    readonly kind: CallKind,
  ) {
    this.client = clientName(req.headers['user-agent']);
  }
}

export type DoorHandler = (door: Door, call: ApiCall, req: IncomingMessage, res: ServerResponse, requestId: string) => Promise<void>;

/** What the door's routes share: the app, one model catalog, and the count of every call. */
export class Door {
  readonly catalog: ModelCatalog;

  constructor(readonly app: VegaApp) {
    // The fleets, not the first servers: a call is routed like a chat turn (holdings, load, breaker).
    const { ollama, openai } = app.chat.fleets;
    this.catalog = new ModelCatalog([ollama, openai]);
  }

  /** Count a finished call by client (and, for a completion, with the chat turns' figures) and log it with its request id. */
  finish(call: ApiCall, requestId: string): void {
    const { rm } = this.app;
    const ok = call.error === undefined;
    const promptTokens = call.stats?.promptTokens;
    const completionTokens = call.kind === 'completion' ? (call.stats?.evalTokens ?? call.tokens) : undefined;
    rm.api.record({ client: call.client, ok, promptTokens, completionTokens, ttftMs: call.ttftMs });
    if (call.kind === 'completion' && call.provider) {
      const genMs = call.stats?.evalMs;
      const tokensPerSecond = genMs && completionTokens ? (completionTokens * 1000) / genMs : undefined;
      rm.llm.record({ ok, provider: call.provider, model: call.model, ttftMs: call.ttftMs, tokens: completionTokens, tokensPerSecond });
    }
    rm.logger.info(
      {
        requestId,
        client: call.client,
        kind: call.kind,
        provider: call.provider,
        model: call.model,
        promptTokens,
        completionTokens,
        ttftMs: round1(call.ttftMs),
        totalMs: round1(performance.now() - call.started),
        hungUp: call.hungUp || undefined,
        error: ok ? undefined : toErrorValue(call.error).code,
      },
      `API ${call.kind} ${ok ? 'finished' : 'failed'}`,
    );
  }
}

function round1(n: number | undefined): number | undefined {
  return n === undefined ? undefined : Math.round(n * 10) / 10;
}
