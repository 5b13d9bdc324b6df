import type { Dispatcher } from 'undici';
import type { LoadedModel, ModelInfo, ProviderHealth, ProviderId } from '../../src-shared/chat.js';
import { VegaError } from '../../src-shared/errors.js';
import type { Config } from '../engine/config.js';
import { withDeadline } from '../engine/deadline.js';
import {
  discard,
  errorField,
  joinUrl,
  open,
  parseJson,
  probe,
  readErrorText,
  send,
  shownUrl,
  transportError,
  type Body,
  type Peer,
  type Phase,
} from '../engine/outbound/index.js';
import type { ResourceManager } from '../engine/resource-manager.js';
import type { Endpoint } from './fleet/endpoints.js';
import { InFlight } from './in-flight.js';
import type { LlmProvider, LlmToolCall, StreamPart, StreamRequest, StreamStats } from './llm.js';

/** How a provider's server is named in messages, and the setting that holds its address. */
export interface ServerInfo {
  readonly name: string;
  readonly urlKey: string;
  /** How to bring the server up, said when nothing answers at its address. */
  readonly startHint: string;
}

/** The chat call a provider makes: its path under the base URL, the format it asks for, and its JSON body. */
export interface ChatCall {
  readonly path: string;
  readonly accept: string;
  readonly body: unknown;
}

/** What an answer ended with, once its tokens were passed on. */
export interface Answer {
  readonly calls: readonly LlmToolCall[];
  readonly stats: StreamStats;
}

/** Where a provider's server is, how its failures are named, and the headers every call carries. */
export interface Settings {
  readonly base: URL;
  readonly peer: Peer;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * What Ollama and the OpenAI-compatible servers share: settings read on every
 * call (the config cache makes that cheap, and a changed address applies at
 * once), the calls in flight (so shutdown can stop them), one frame for a
 * streamed chat call, JSON listings bounded as a whole, and the health probe.
 * A provider says where its server is, how it asks and how it reads.
 */
export abstract class HttpProvider implements LlmProvider {
  abstract readonly id: ProviderId;
  /** The last failure of a call or a probe, shown by health until a chat call succeeds. */
  lastError: string | null = null;
  protected readonly rm: ResourceManager;
  protected abstract readonly server: ServerInfo;
  /** A cheap GET that shows the server answers. */
  protected abstract readonly healthPath: string;
  readonly #inFlight = new InFlight();
  /** The one server of a list this instance talks to (a fleet's member); unset, the list's first. */
  readonly endpoint: Endpoint | undefined;

  constructor(rm: ResourceManager, endpoint?: Endpoint) {
    this.rm = rm;
    this.endpoint = endpoint;
  }

  /** The server's base URL; throws CONFIG_INVALID when it is not set up. */
  protected abstract address(config: Config): URL;
  protected abstract chatCall(req: StreamRequest): ChatCall;
  /** Pass the answer's tokens on as they arrive, calling `streaming()` at the first; return how it ended. */
  protected abstract readAnswer(body: Body, streaming: () => void): AsyncGenerator<StreamPart, Answer, undefined>;
  /** A chat call's error status as MODEL_NOT_FOUND when that is what it means. */
  protected abstract modelError(status: number, said: string, model: string, peer: Peer): VegaError | undefined;
  abstract models(signal?: AbortSignal): Promise<ModelInfo[]>;
  abstract loaded(timeoutMs: number): Promise<LoadedModel[]>;
  /** Headers every call carries (an API key). */
  protected headers?(config: Config): Record<string, string>;

  /** Whether the settings it needs are present; a server with a default address always is. */
  protected configured(): Promise<boolean> {
    return Promise.resolve(true);
  }

  /** A status other than 2xx as an error. */
  protected statusError(status: number, said: string, peer: Peer): VegaError {
    return new VegaError('PROVIDER_ERROR', `${peer.name}: ${said} (HTTP ${status})`);
  }

  async *stream(req: StreamRequest): AsyncGenerator<StreamPart, void, undefined> {
    const s = await this.settings();
    const call = this.#inFlight.begin(req.signal);
    const chat = this.chatCall(req);
    let phase: Phase = 'request';
    let res: Dispatcher.ResponseData | undefined;
    try {
      res = await open(this.rm.httpClient(), s.peer, {
        method: 'POST',
        url: joinUrl(s.base, chat.path),
        signal: call.signal,
        requestId: req.requestId,
        headers: { ...s.headers, 'content-type': 'application/json', accept: chat.accept },
        body: JSON.stringify(chat.body),
        // An LLM may think for minutes before its first token: its own bound, not the pool's.
        timeoutMs: s.peer.timeoutS * 1000,
      });
      phase = 'headers';
      if (res.statusCode !== 200) {
        const said = this.#said(await readErrorText(res.body, (t) => this.rm.redact(t)));
        throw this.modelError(res.statusCode, said, req.model, s.peer) ?? this.statusError(res.statusCode, said, s.peer);
      }
      const { calls, stats } = yield* this.readAnswer(res.body, () => (phase = 'stream'));
      if (calls.length) yield { type: 'tool-calls', calls };
      this.lastError = null;
      yield { type: 'done', stats };
    } catch (err) {
      const e = call.signal.aborted
        ? new VegaError('ABORTED', 'Stopped.', { cause: err })
        : err instanceof SyntaxError
          ? this.#notJson(err)
          : transportError(err, s.peer, phase);
      if (e.code !== 'ABORTED') this.lastError = e.message;
      throw e;
    } finally {
      if (res) discard(res.body);
      call.end();
    }
  }

  async health(timeoutMs: number): Promise<ProviderHealth> {
    const checkedAt = new Date().toISOString();
    const configured = await this.configured().catch(() => false);
    const r = configured ? await probe(timeoutMs, (signal) => this.getJson(this.healthPath, timeoutMs, signal)) : undefined;
    if (r?.lastError) this.lastError = r.lastError;
    return {
      id: this.id,
      kind: 'llm',
      configured,
      reachable: r?.reachable ?? false,
      latencyMs: r?.latencyMs ?? null,
      lastError: this.lastError,
      checkedAt,
    };
  }

  /** Where the server is looked for, as messages show it; null when it is not set up. */
  async shownAddress(): Promise<string | null> {
    return this.settings().then(
      (s) => s.peer.url,
      () => null,
    );
  }

  /** Abort every call in flight (shutdown). */
  abortAll(): void {
    this.#inFlight.abortAll();
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** A GET for listings and probes, bounded as a whole by `timeoutMs` (connect included), so a dead server cannot hold a dashboard call. */
  protected getJson(path: string, timeoutMs: number, signal?: AbortSignal): Promise<unknown> {
    return this.callJson(path, timeoutMs, { signal });
  }

  /**
   * A JSON call bounded as a whole by `timeoutMs`. With `model`, a status
   * that means the model is missing says so (MODEL_NOT_FOUND); an empty
   * answer (Ollama's delete) is null.
   */
  protected async callJson(
    path: string,
    timeoutMs: number,
    opts: {
      readonly method?: 'GET' | 'POST' | 'DELETE';
      readonly body?: unknown;
      readonly model?: string;
      readonly signal?: AbortSignal;
    } = {},
  ): Promise<unknown> {
    const s = await this.settings();
    const { signal, model } = opts;
    const reply = await withDeadline(
      timeoutMs,
      (bound) =>
        send(this.rm.httpClient(), s.peer, {
          method: opts.method,
          url: joinUrl(s.base, path),
          signal: bound,
          timeoutMs,
          headers: { ...s.headers, accept: 'application/json', ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }) },
          body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        }),
      { signal },
    ).catch((err: unknown) => {
      throw transportError(err, s.peer, 'request', signal);
    });
    if (reply.status < 200 || reply.status > 299) {
      const said = this.#said(this.rm.redact(reply.text()));
      const missing = model === undefined ? undefined : this.modelError(reply.status, said, model, s.peer);
      throw missing ?? this.statusError(reply.status, said, s.peer);
    }
    if (reply.body.length === 0 && opts.method !== undefined && opts.method !== 'GET') return null;
    return parseJson(reply, s.peer, `is ${this.server.urlKey} the right address?`);
  }

  /** The settings as they are now: the config cache makes reading them per call cheap. */
  protected async settings(): Promise<Settings> {
    const config = await this.rm.config.get();
    const base = this.endpoint?.url ?? this.address(config);
    const key = this.endpoint?.key;
    return {
      base,
      headers: key ? { authorization: `Bearer ${key}` } : (this.headers?.(config) ?? {}),
      peer: {
        name: this.server.name,
        url: shownUrl(base),
        startHint: this.server.startHint,
        timeoutS: config.number('VEGA_LLM_TIMEOUT_S'),
        timeoutKey: 'VEGA_LLM_TIMEOUT_S',
        slowStart: 'a model still loading?',
      },
    };
  }

  #said(errorBody: string): string {
    return errorField(errorBody) || 'no details given';
  }

  #notJson(err: SyntaxError): VegaError {
    return new VegaError(
      'PROVIDER_ERROR',
      `${this.server.name} sent something that is not JSON (${err.message}) — is ${this.server.urlKey} the right address?`,
      { cause: err },
    );
  }
}
