import type { ModelInfo, ProviderId } from '../../src-shared/chat.js';
import { VegaError } from '../../src-shared/errors.js';
import {
  sameModel,
  type ConnectionTest,
  type ModelDetails,
  type ProviderModels,
  type PullProgress,
  type ServerStatus,
  type SetupStatus,
} from '../../src-shared/models.js';
import { withDeadline } from '../engine/deadline.js';
import type { ResourceManager } from '../engine/resource-manager.js';
import type { OllamaProvider } from '../providers/ollama.js';
import type { OpenAIProvider } from '../providers/openai.js';
import { testOpenAiConnection } from './connection-test.js';
import { PullQueue } from './pull-queue.js';

/** The first-run card asks every few seconds: each server gets this long to answer. */
const SETUP_TIMEOUT_MS = 2_500;
const LOADED_TIMEOUT_MS = 2_000;
const FALLBACK_MODEL = 'llama3.2';

export interface ModelServiceOptions {
  readonly rm: ResourceManager;
  readonly ollama: OllamaProvider;
  readonly openai: OpenAIProvider;
  /** Each pull's progress, at most one event per 100 ms per pull. */
  readonly emit: (p: PullProgress) => void;
}

/**
 * The models of each provider: what is installed and loaded, their details,
 * pulls (through the queue), delete, load and unload, and what the first-run
 * card needs to know. Ollama's details are cached per model until the model
 * changes (a pull or a delete).
 */
export class ModelService {
  readonly pulls: PullQueue;
  readonly #o: ModelServiceOptions;
  readonly #details = new Map<string, Promise<ModelDetails>>();

  constructor(o: ModelServiceOptions) {
    this.#o = o;
    this.pulls = new PullQueue((name, signal) => o.ollama.pullLines(name, signal), {
      emit: o.emit,
      onFinished: (p) => {
        this.forget(p.name);
        if (p.state === 'failed')
          o.rm.logger.warn({ model: p.name, error: p.error?.code }, `Pull of ${p.name} failed: ${p.error?.message ?? ''}`);
        else o.rm.logger.info({ model: p.name, bytes: p.total }, `Pull of ${p.name}: ${p.state}`);
      },
    });
  }

  async list(): Promise<ProviderModels[]> {
    const { ollama, openai } = this.#o;
    const [local, remote] = await Promise.all([
      this.#listed(ollama, true, async () => {
        const [models, loaded] = await Promise.all([ollama.models(), ollama.loaded(LOADED_TIMEOUT_MS)]);
        return Promise.all(
          models.map(async (m) => ({
            ...m,
            contextLength: (await this.show(m.name).catch(() => null))?.contextLength ?? null,
            loaded: loaded.find((l) => sameModel(l.name, m.name)) ?? null,
          })),
        );
      }),
      this.#listed(openai, await this.#openaiConfigured(), async () =>
        (await openai.models()).map((m) => ({ ...m, contextLength: null, loaded: null })),
      ),
    ]);
    return [local, remote];
  }

  /** Ollama's /api/show, asked once per model. */
  show(name: string): Promise<ModelDetails> {
    const key = name.includes(':') ? name : `${name}:latest`;
    let details = this.#details.get(key);
    if (!details) {
      details = this.#o.ollama.show(name);
      this.#details.set(key, details);
      // A failure is not kept: the next ask tries again (Ollama may be up by then).
      details.catch(() => this.#details.delete(key));
    }
    return details;
  }

  /** The window a conversation with this model has when it sets no `num_ctx`; null where unknown. */
  async contextLimit(provider: ProviderId, model: string): Promise<number | null> {
    if (provider !== 'ollama') return null;
    const d = await this.show(model);
    return d.defaultNumCtx ?? d.contextLength;
  }

  /** A model was pulled or deleted: what was known of it may be stale. */
  forget(name: string): void {
    this.#details.delete(name.includes(':') ? name : `${name}:latest`);
  }

  async delete(name: string): Promise<{ deleted: true }> {
    if (this.pulls.cancel(name))
      throw new VegaError('BAD_REQUEST', `"${name}" was still being pulled; the pull is cancelled — delete it again once it has stopped.`);
    await this.#o.ollama.remove(name);
    this.forget(name);
    this.#o.rm.logger.info({ model: name }, 'Model deleted');
    return { deleted: true };
  }

  async load(name: string): Promise<{ loaded: true }> {
    await this.#o.ollama.load(name);
    return { loaded: true };
  }

  async unload(name: string): Promise<{ unloaded: true }> {
    await this.#o.ollama.unload(name);
    return { unloaded: true };
  }

  testConnection(url: string, apiKey?: string): Promise<ConnectionTest> {
    return testOpenAiConnection(this.#o.rm, url, apiKey);
  }

  /**
   * What Vega finds: Ollama (reachable? which models?), the
   * OpenAI-compatible server (set up? reachable?), and whether a new chat
   * can start. Ready means the default model is installed in Ollama, or,
   * with no Ollama models, that the OpenAI-compatible server lists one.
   */
  async setup(): Promise<SetupStatus> {
    const config = await this.#o.rm.config.get();
    const defaultModel = config.string('VEGA_MODEL') || FALLBACK_MODEL;
    const [ollama, openai] = await Promise.all([
      this.#server(this.#o.ollama, true),
      this.#server(this.#o.openai, await this.#openaiConfigured()),
    ]);
    const installed = ollama.models.find((m) => sameModel(m, defaultModel));
    const useOpenai = !ollama.models.length && openai.reachable && openai.models.length > 0;
    const provider: ProviderId | null = installed ? 'ollama' : useOpenai ? 'openai' : null;
    return {
      ready: provider !== null,
      provider,
      model: provider === 'ollama' ? defaultModel : provider === 'openai' ? (openai.models[0] ?? null) : null,
      defaultModel,
      defaultInstalled: installed !== undefined,
      ollama,
      openai,
      platform: process.platform,
    };
  }

  async #openaiConfigured(): Promise<boolean> {
    return (await this.#o.rm.config.get()).has('OPENAI_BASE_URL');
  }

  async #server(provider: OllamaProvider | OpenAIProvider, configured: boolean): Promise<ServerStatus> {
    const url = await provider.shownAddress();
    if (!configured) return { configured, url, reachable: false, error: null, models: [] };
    try {
      const models = await withDeadline(SETUP_TIMEOUT_MS, (signal) => provider.models(signal));
      return { configured, url, reachable: true, error: null, models: models.map((m: ModelInfo) => m.name) };
    } catch (err) {
      const error =
        err instanceof VegaError
          ? err.message
          : `${provider.id === 'ollama' ? 'Ollama' : 'The server'} did not answer within ${SETUP_TIMEOUT_MS / 1000} s.`;
      return {
        configured,
        url,
        reachable: err instanceof VegaError && !['PROVIDER_UNREACHABLE', 'TIMEOUT', 'CONFIG_INVALID'].includes(err.code),
        error,
        models: [],
      };
    }
  }

  async #listed(
    provider: OllamaProvider | OpenAIProvider,
    configured: boolean,
    read: () => Promise<ProviderModels['models']>,
  ): Promise<ProviderModels> {
    if (!configured) return { provider: provider.id, configured, reachable: false, error: null, models: [] };
    try {
      return { provider: provider.id, configured, reachable: true, error: null, models: await read() };
    } catch (err) {
      return {
        provider: provider.id,
        configured,
        reachable: false,
        error: err instanceof VegaError ? err.message : String(err),
        models: [],
      };
    }
  }
}
