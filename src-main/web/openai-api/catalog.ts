import type { ProviderId } from '../../../src-shared/chat.js';
import { sameModel } from '../../../src-shared/models.js';
import { VegaError, toErrorValue } from '../../../src-shared/errors.js';
import type { LlmProvider } from '../../providers/llm.js';
import { ApiError } from './errors.js';

export interface CatalogEntry {
  readonly id: string;
  readonly provider: ProviderId;
}

interface Listing {
  readonly entries: readonly CatalogEntry[];
  /** Providers that answered; 0 means no model server is reachable. */
  readonly answered: number;
  /** Why each set-up provider that did not answer failed. */
  readonly problems: readonly string[];
  readonly at: number;
}

/**
 * How long a listing answers calls: a completion must not cost a listing of
 * every server (the door's added latency), yet a model pulled a moment ago
 * is found: a name the listing lacks lists again at once.
 */
const FRESH_MS = 10_000;

/**
 * The models of every provider as one list, and which provider serves a
 * model. Calls at the same moment share one listing.
 */
export class ModelCatalog {
  readonly #providers: readonly LlmProvider[];
  #cached: Listing | undefined;
  #loading: Promise<Listing> | undefined;

  constructor(providers: readonly LlmProvider[]) {
    this.#providers = providers;
  }

  /** Every provider's models, Ollama's first; 503 when no model server answers. */
  async list(): Promise<readonly CatalogEntry[]> {
    return reachable(await this.#list(true)).entries;
  }

  /** The provider that serves `model`: 404 when none lists it, 503 when none answers. */
  async resolve(model: string): Promise<LlmProvider> {
    let listing = await this.#list(false);
    if (!find(listing, model)) listing = await this.#list(true);
    const entry = find(reachable(listing), model);
    if (!entry)
      throw new ApiError(
        404,
        'MODEL_NOT_FOUND',
        `The model "${model}" does not exist here: GET /v1/models lists the models Vega can reach.`,
        'model',
      );
    return this.#providers.find((p) => p.id === entry.provider)!;
  }

  #list(fresh: boolean): Promise<Listing> {
    const cached = this.#cached;
    if (!fresh && cached && performance.now() - cached.at < FRESH_MS) return Promise.resolve(cached);
    // A call that wants a listing joins the one under way.
    return (this.#loading ??= this.#load()
      .then((l) => (this.#cached = l))
      .finally(() => (this.#loading = undefined)));
  }

  async #load(): Promise<Listing> {
    const results = await Promise.allSettled(this.#providers.map((p) => p.models()));
    const entries: CatalogEntry[] = [];
    const problems: string[] = [];
    let answered = 0;
    results.forEach((r, i) => {
      const provider = this.#providers[i]!.id;
      if (r.status === 'fulfilled') {
        answered++;
        for (const m of r.value) entries.push({ id: m.name, provider });
      } else if (!(r.reason instanceof VegaError && r.reason.code === 'CONFIG_INVALID')) {
        // A provider that is not set up is not a problem, only absent.
        problems.push(toErrorValue(r.reason).message);
      }
    });
    return { entries, answered, problems, at: performance.now() };
  }
}

function reachable(l: Listing): Listing {
  if (l.answered === 0)
    throw new ApiError(
      503,
      'PROVIDER_UNREACHABLE',
      l.problems.join(' ') || 'No model server is set up: set OLLAMA_HOST or OPENAI_BASE_URL in Settings.',
    );
  return l;
}

/** The exact name first; for Ollama, `llama3.2` is also `llama3.2:latest`. */
function find(l: Listing, model: string): CatalogEntry | undefined {
  return l.entries.find((e) => e.id === model) ?? l.entries.find((e) => e.provider === 'ollama' && sameModel(e.id, model));
}
