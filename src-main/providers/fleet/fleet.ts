import { performance } from 'node:perf_hooks';
import type { LoadedModel, ModelInfo, ProviderHealth } from '../../../src-shared/chat.js';
import { VegaError } from '../../../src-shared/errors.js';
import type { EndpointState, EndpointStats } from '../../../src-shared/resources.js';
import { DeadlineError, withDeadline } from '../../engine/deadline.js';
import { normaliseOrigin } from '../../engine/http-client.js';
import { shownUrl } from '../../engine/outbound/index.js';
import type { ResourceManager } from '../../engine/resource-manager.js';
import type { HttpProvider } from '../base.js';
import type { Embeddings, LlmProvider, StreamPart, StreamRequest } from '../llm.js';
import { Breaker, DEFAULT_BREAKER, type BreakerSettings } from './breaker.js';
import { endpointList, type Endpoint, type EndpointListKey } from './endpoints.js';
import { rank, type Candidate } from './router.js';

export interface FleetOptions {
  readonly breaker?: BreakerSettings;
  /** How old the model lists may get before a turn refreshes them in the background, ms. */
  readonly refreshMs?: number;
}

/** Listing one endpoint's models is bounded as a whole: a dead server cannot hold a turn. */
const LIST_TIMEOUT_MS = 2_000;
const REFRESH_MS = 10_000;
/** A model no endpoint lists: look again at most this often before saying so (it may just have been pulled). */
const RECHECK_MS = 1_000;
const TTFT_SAMPLES = 50;
const MAX_STICKY = 10_000;

class Member {
  endpoint: Endpoint;
  provider: HttpProvider;
  readonly breaker: Breaker;
  readonly key: string;
  readonly url: string;
  /** What its last listing said; null before it answered one. */
  models: Set<string> | null = null;
  lastList: ModelInfo[] = [];
  loaded = new Set<string>();
  listFailed = false;
  paceMs: number | null = null;
  tokensPerSecond: number | null = null;
  readonly ttft: number[] = [];
  served = 0;
  /** This fleet's streams on it now: counted from the moment it is chosen, before the pool sees the request. */
  active = 0;
  errors = 0;
  lastError: string | null = null;

  constructor(endpoint: Endpoint, provider: HttpProvider, breaker: BreakerSettings) {
    this.endpoint = endpoint;
    this.provider = provider;
    this.breaker = new Breaker(breaker);
    this.key = endpoint.url.href;
    this.url = shownUrl(endpoint.url);
  }

  firstToken(ms: number): void {
    // A moving average: the pace a turn will meet now, not the one of an hour ago.
    this.paceMs = this.paceMs === null ? ms : this.paceMs * 0.7 + ms * 0.3;
    this.ttft.push(ms);
    if (this.ttft.length > TTFT_SAMPLES) this.ttft.shift();
  }

  fault(err: unknown): void {
    this.breaker.failure();
    this.errors++;
    this.lastError = err instanceof Error ? err.message : String(err);
  }

  state(): EndpointState {
    const b = this.breaker.state;
    if (b === 'open') return 'breaker-open';
    if (this.listFailed) return 'down';
    return b === 'half-open' || this.lastError !== null ? 'degraded' : 'up';
  }
}

/**
 * One provider kind over every server its list setting names: each turn is
 * routed (see `rank`), kept on its conversation's endpoint while that one is
 * healthy, and moved to the next endpoint when its server fails before the
 * first token; after the first token a failure is the turn's, as with one
 * server. A list of one (or none) is exactly the single provider, with no
 * listing calls added. Every endpoint's provider is on the engine's one
 * pooled client, so the pool's per-origin counters are the "running" figure.
 */
export class Fleet implements LlmProvider {
  readonly id: HttpProvider['id'];
  readonly #rm: ResourceManager;
  readonly #solo: HttpProvider;
  readonly #listKey: EndpointListKey;
  readonly #make: (e: Endpoint) => HttpProvider;
  readonly #breaker: BreakerSettings;
  readonly #refreshMs: number;
  #members = new Map<string, Member>();
  readonly #sticky = new Map<string, string>();
  #refreshing: Promise<void> | undefined;
  #refreshedAt = -Infinity;

  constructor(
    rm: ResourceManager,
    solo: HttpProvider,
    listKey: EndpointListKey,
    make: (e: Endpoint) => HttpProvider,
    opts: FleetOptions = {},
  ) {
    this.id = solo.id;
    this.#rm = rm;
    this.#solo = solo;
    this.#listKey = listKey;
    this.#make = make;
    this.#breaker = opts.breaker ?? DEFAULT_BREAKER;
    this.#refreshMs = opts.refreshMs ?? REFRESH_MS;
  }

  async *stream(req: StreamRequest): AsyncGenerator<StreamPart, void, undefined> {
    const members = await this.#current();
    if (members.length < 2) return yield* this.#solo.stream(req);
    await this.#fresh(members, req.model);
    // Ranked and claimed in one synchronous step: turns that start together see each other.
    const order = this.#order(members, req.model, req.affinity);
    if (!order.length) throw this.#nowhere(req.model, members);
    let last: Error | undefined;
    for (const m of order) {
      if (req.signal?.aborted) break;
      m.breaker.begin();
      m.active++;
      const t0 = performance.now();
      let first = false;
      let settled = false;
      try {
        for await (const part of m.provider.stream(req)) {
          if (!first) m.firstToken(performance.now() - t0);
          first = true;
          if (part.type === 'done' && part.stats.evalTokens && part.stats.evalMs)
            m.tokensPerSecond = (part.stats.evalTokens * 1000) / part.stats.evalMs;
          yield part;
        }
        settled = true;
        m.breaker.success();
        m.lastError = null;
        m.served++;
        this.#stick(req.affinity, m.key);
        return;
      } catch (err) {
        settled = true;
        const fault = serverFault(err);
        if (fault) m.fault(err);
        else m.breaker.release();
        const missing = err instanceof VegaError && err.code === 'MODEL_NOT_FOUND';
        if (missing) m.models?.delete(modelKey(this.id, req.model));
        // After the first token the person has seen part of this answer: it is never replayed elsewhere.
        if (first || !(fault || missing)) throw err;
        this.#rm.logger.warn(
          { endpoint: m.url, model: req.model, requestId: req.requestId, err: (err as Error).message },
          'fleet: endpoint failed before the first token, trying the next',
        );
        last = err as Error;
      } finally {
        m.active--;
        if (!settled) m.breaker.release();
      }
    }
    throw last ?? new VegaError('ABORTED', 'Stopped.');
  }

  async models(signal?: AbortSignal): Promise<ModelInfo[]> {
    const members = await this.#current();
    if (members.length < 2) return this.#solo.models(signal);
    await this.#refresh(members);
    if (members.every((m) => m.listFailed)) return this.#solo.models(signal);
    const seen = new Map<string, ModelInfo>();
    for (const m of members) for (const info of m.lastList) if (!seen.has(info.name)) seen.set(info.name, info);
    return [...seen.values()];
  }

  async loaded(timeoutMs: number): Promise<LoadedModel[]> {
    const members = await this.#current().catch(() => []);
    if (members.length < 2) return this.#solo.loaded(timeoutMs);
    const lists = await Promise.all(members.map((m) => m.provider.loaded(timeoutMs)));
    const seen = new Map<string, LoadedModel>();
    for (const l of lists.flat()) if (!seen.has(l.name)) seen.set(l.name, l);
    return [...seen.values()];
  }

  async health(timeoutMs: number): Promise<ProviderHealth> {
    const members = await this.#current().catch(() => []);
    if (members.length < 2) return this.#solo.health(timeoutMs);
    const all = await Promise.all(members.map((m) => m.provider.health(timeoutMs)));
    const up = all.filter((h) => h.reachable);
    const down = members.filter((_, i) => !all[i]!.reachable);
    return {
      id: this.id,
      kind: 'llm',
      configured: true,
      reachable: up.length > 0,
      latencyMs: up.length ? Math.min(...up.map((h) => h.latencyMs ?? Infinity)) : null,
      lastError: down.length ? `${down.length} of ${members.length} servers do not answer: ${down.map((m) => m.url).join(', ')}.` : null,
      checkedAt: new Date().toISOString(),
    };
  }

  async embed(model: string, input: readonly string[], signal?: AbortSignal): Promise<Embeddings> {
    const members = await this.#current();
    if (members.length >= 2) await this.#fresh(members, model);
    const target: LlmProvider | undefined = members.length < 2 ? this.#solo : this.#order(members, model, undefined)[0]?.provider;
    if (!target?.embed)
      throw members.length < 2 ? new VegaError('BAD_REQUEST', 'This server has no embeddings.') : this.#nowhere(model, members);
    return target.embed(model, input, signal);
  }

  abortAll(): void {
    this.#solo.abortAll();
    for (const m of this.#members.values()) m.provider.abortAll();
  }

  /** Each endpoint's state for the Fleet card and the admin stats; [] with one server. */
  endpoints(): EndpointStats[] {
    if (this.#members.size < 2) return [];
    const members = [...this.#members.values()];
    const total = members.reduce((n, m) => n + m.served, 0);
    const counters = this.#rm.originCounters();
    return members.map((m) => ({
      provider: this.id,
      url: m.url,
      weight: m.endpoint.weight,
      state: m.state(),
      models: m.models ? [...m.models] : [],
      loadedModels: [...m.loaded],
      running: counters.get(normaliseOrigin(m.endpoint.url))?.inFlight ?? 0,
      ttftP50Ms: m.ttft.length ? Math.round(median(m.ttft)) : null,
      tokensPerSecond: m.tokensPerSecond === null ? null : Math.round(m.tokensPerSecond * 10) / 10,
      errors: m.errors,
      turns: m.served,
      share: total ? Math.round((m.served / total) * 1000) / 1000 : 0,
      lastError: m.lastError === null ? null : this.#rm.redact(m.lastError),
    }));
  }

  /** The endpoints the setting names now; state is kept for those that stay. */
  async #current(): Promise<Member[]> {
    const list = endpointList(await this.#rm.config.get(), this.#listKey);
    if (list.length < 2) {
      this.#members = new Map();
      return [];
    }
    const next = new Map<string, Member>();
    for (const e of list) {
      const key = e.url.href;
      if (next.has(key)) continue;
      const kept = this.#members.get(key);
      if (kept && kept.endpoint.key === e.key) kept.endpoint = e;
      else if (kept) {
        kept.endpoint = e;
        kept.provider = this.#make(e);
      }
      next.set(key, kept ?? new Member(e, this.#make(e), this.#breaker));
    }
    this.#members = next;
    return [...next.values()];
  }

  /** Lists learnt before the first turn; stale ones refreshed in the background, or at once when no server has the model. */
  async #fresh(members: Member[], model: string): Promise<void> {
    const name = modelKey(this.id, model);
    const age = Date.now() - this.#refreshedAt;
    const nobody = members.every((m) => m.models !== null && !m.models.has(name));
    if (!Number.isFinite(age) || (nobody && age > RECHECK_MS)) await this.#refresh(members);
    else if (age > this.#refreshMs) void this.#refresh(members);
  }

  #order(members: Member[], model: string, affinity: string | undefined): Member[] {
    const name = modelKey(this.id, model);
    const counters = this.#rm.originCounters();
    const candidates: Candidate[] = members.map((m) => ({
      key: m.key,
      holds: m.models === null ? null : m.models.has(name),
      loaded: m.loaded.has(name),
      running: Math.max(m.active, counters.get(normaliseOrigin(m.endpoint.url))?.inFlight ?? 0),
      weight: m.endpoint.weight,
      paceMs: m.paceMs,
      served: m.served,
      healthy: m.breaker.allows(),
    }));
    const byKey = new Map(members.map((m) => [m.key, m]));
    return rank(candidates, affinity === undefined ? undefined : this.#sticky.get(affinity)).map((c) => byKey.get(c.key)!);
  }

  /**
   * Every endpoint's models and loaded models, at once and bounded. A listing
   * that fails counts against the breaker; one that answers closes it, so the
   * listing is also the probe that lets a server back in.
   */
  #refresh(members: Member[]): Promise<void> {
    this.#refreshing ??= Promise.all(
      members.map(async (m) => {
        try {
          const [list, loaded] = await withDeadline(LIST_TIMEOUT_MS, (signal) =>
            Promise.all([m.provider.models(signal), m.provider.loaded(LIST_TIMEOUT_MS)]),
          );
          m.lastList = list;
          m.models = new Set(list.map((x) => modelKey(this.id, x.name)));
          m.loaded = new Set(loaded.map((x) => modelKey(this.id, x.name)));
          m.listFailed = false;
          m.breaker.success();
        } catch (err) {
          m.listFailed = true;
          if (serverFault(err)) m.fault(err);
        }
      }),
    ).then(() => {
      this.#refreshedAt = Date.now();
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  #stick(affinity: string | undefined, key: string): void {
    if (affinity === undefined) return;
    this.#sticky.delete(affinity);
    this.#sticky.set(affinity, key);
    if (this.#sticky.size > MAX_STICKY) this.#sticky.delete(this.#sticky.keys().next().value!);
  }

  #nowhere(model: string, members: Member[]): VegaError {
    const down = members.filter((m) => m.listFailed || !m.breaker.allows());
    const also = down.length ? ` (${down.length} of them not answering now: ${down.map((m) => m.url).join(', ')})` : '';
    return new VegaError(
      'MODEL_NOT_FOUND',
      `Model "${model}" is on none of the ${members.length} servers in ${this.#listKey}${also} — install it on one of them, or choose another model.`,
    );
  }
}

/** A failure that says something of the server's health, not of the request: it counts against the breaker and lets the turn move on. */
function serverFault(err: unknown): boolean {
  if (err instanceof DeadlineError) return true;
  if (!(err instanceof VegaError)) return false;
  if (err.code === 'PROVIDER_UNREACHABLE' || err.code === 'TIMEOUT') return true;
  return err.code === 'PROVIDER_ERROR' && /\(HTTP 5\d\d\)|closed the connection/.test(err.message);
}

/** Ollama's `llama3.2` is its `llama3.2:latest`; other servers' names are taken as they are. */
function modelKey(provider: string, name: string): string {
  return provider === 'ollama' && !name.includes(':') ? `${name}:latest` : name;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
