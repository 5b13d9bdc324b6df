/**
 * Models as both sides see them: what a provider has installed and loaded,
 * a pull's progress, the first-run status, and the rules for a model name.
 * Plain values, no zod: the window imports them without the schemas.
 */
import type { LoadedModel, ProviderId } from './chat.js';
import type { VegaErrorValue } from './errors.js';

export const MODEL_NAME_MAX = 200;

const PART = '[A-Za-z0-9][A-Za-z0-9._-]*';
/**
 * Ollama's name grammar: `[host[:port]/][namespace/]model[:tag]`, each part
 * starting with a letter or digit, so neither `../` nor a space can pass.
 */
export const MODEL_NAME_PATTERN = new RegExp(
  `^(?:[A-Za-z0-9][A-Za-z0-9.-]*(?::[0-9]{1,5})?/)?(?:${PART}/){0,2}${PART}(?::[A-Za-z0-9_][A-Za-z0-9._-]{0,127})?$`,
);

/** What is wrong with a model name, as a sentence that shows a right one; null when it is fine. */
export function modelNameProblem(name: string): string | null {
  if (!name) return 'Enter a model name, like llama3.2 or qwen2.5:0.5b.';
  if (/\s/.test(name)) return 'A model name has no spaces: write it like llama3.2:1b.';
  if (name.includes('..') || name.includes('\\') || name.startsWith('/'))
    return 'A model name cannot contain "..", "\\" or start with "/": write it like library/llama3.2:1b.';
  if (name.length > MODEL_NAME_MAX) return `A model name has at most ${MODEL_NAME_MAX} characters.`;
  if (!MODEL_NAME_PATTERN.test(name))
    return 'Not a model name: use letters, digits, ".", "_" or "-", with an optional namespace ("library/") and tag (":1b").';
  return null;
}

/** `llama3.2` and `llama3.2:latest` are one model to Ollama. */
export function sameModel(a: string, b: string): boolean {
  const full = (n: string) => (n.slice(n.lastIndexOf('/') + 1).includes(':') ? n : `${n}:latest`);
  return full(a) === full(b);
}

export interface InstalledModel {
  readonly name: string;
  readonly family?: string;
  readonly parameterSize?: string;
  readonly quantization?: string;
  /** On disk, bytes. */
  readonly size?: number;
  /** The model's own maximum (Ollama's /api/show); null where unknown. */
  readonly contextLength: number | null;
  /** Held in memory by the server now (Ollama's /api/ps). */
  readonly loaded: LoadedModel | null;
}

export interface ProviderModels {
  readonly provider: ProviderId;
  readonly configured: boolean;
  readonly reachable: boolean;
  /** Why the list is empty when the server did not answer, with the fix. */
  readonly error: string | null;
  readonly models: readonly InstalledModel[];
}

export interface ModelDetails {
  readonly name: string;
  readonly family?: string;
  readonly parameterSize?: string;
  readonly quantization?: string;
  /** The model's maximum context, tokens. */
  readonly contextLength: number | null;
  /** The `num_ctx` its Modelfile sets, which Ollama uses when a conversation sets none. */
  readonly defaultNumCtx: number | null;
  /** What the model can do: completion, tools, vision, embedding… */
  readonly capabilities: readonly string[];
}

export const PULL_STATES = ['queued', 'pulling', 'verifying', 'done', 'failed', 'cancelled'] as const;
export type PullState = (typeof PULL_STATES)[number];

export function pullFinished(state: PullState): boolean {
  return state === 'done' || state === 'failed' || state === 'cancelled';
}

export interface PullLayer {
  /** `sha256:…`, as Ollama names the blob. */
  readonly digest: string;
  readonly total: number;
  readonly completed: number;
}

/** One pull, as main holds it: it outlives a reloaded window. */
export interface PullProgress {
  readonly name: string;
  readonly state: PullState;
  /** Ollama's last status line ("pulling manifest", "verifying sha256 digest"…). */
  readonly status: string;
  /** Bytes over every layer Ollama has named so far. */
  readonly completed: number;
  readonly total: number;
  readonly layers: readonly PullLayer[];
  /** Over the last few seconds; null until there is a rate to tell. */
  readonly bytesPerSecond: number | null;
  readonly secondsLeft: number | null;
  readonly error: VegaErrorValue | null;
  /** ISO 8601. */
  readonly queuedAt: string;
  readonly updatedAt: string;
}

/** Percent done, 0–100, never past the ends whatever the numbers say. */
export function pullPercent(p: Pick<PullProgress, 'state' | 'completed' | 'total'>): number {
  if (p.state === 'done') return 100;
  if (!(p.total > 0) || !(p.completed > 0)) return 0;
  return Math.min(100, Math.max(0, (p.completed / p.total) * 100));
}

export interface RecommendedModel {
  readonly name: string;
  /** Download size, bytes (approximate: the registry's figure when this list was written). */
  readonly size: number;
  readonly about: string;
}

/** Small models that answer well on a laptop, smallest first. */
export const RECOMMENDED_MODELS: readonly RecommendedModel[] = [
  { name: 'qwen2.5:0.5b', size: 398_000_000, about: 'Tiny and quick; fine for short questions.' },
  { name: 'gemma3:1b', size: 815_000_000, about: "Google's small model; good plain answers." },
  { name: 'llama3.2:1b', size: 1_300_000_000, about: "Meta's small model; can call tools." },
  { name: 'llama3.2:3b', size: 2_000_000_000, about: 'Better answers; needs about 4 GB of memory.' },
];

export interface ServerStatus {
  readonly configured: boolean;
  /** Where Vega looks for it, as the person would write it. */
  readonly url: string | null;
  readonly reachable: boolean;
  readonly error: string | null;
  readonly models: readonly string[];
}

/** What the first-run card shows: what Vega found, and whether a chat can start. */
export interface SetupStatus {
  /** A provider answers and the model a new chat would use is there. */
  readonly ready: boolean;
  /** The provider and model a new chat uses; null while not ready. */
  readonly provider: ProviderId | null;
  readonly model: string | null;
  /** VEGA_MODEL, and whether Ollama has it. */
  readonly defaultModel: string;
  readonly defaultInstalled: boolean;
  readonly ollama: ServerStatus;
  readonly openai: ServerStatus;
  /** The host's OS (process.platform), for the install steps. */
  readonly platform: string;
}

export interface ConnectionTest {
  readonly ok: boolean;
  /** What happened, and the fix when it failed. */
  readonly message: string;
  readonly models: readonly string[];
}

/** What a conversation does when the next message would not fit its context window. */
export const CONTEXT_OVERFLOW = ['new-chat', 'drop-oldest'] as const;
export type ContextOverflow = (typeof CONTEXT_OVERFLOW)[number];

/** The `num_ctx` a conversation may set for Ollama. */
export const NUM_CTX_MIN = 256;
export const NUM_CTX_MAX = 2_097_152;

/**
 * A rough token count for text not yet sent (about four characters a token
 * in English and code): enough to warn before a message would overflow,
 * never used where the provider's own count exists.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4) + 4;
}

/** The tokens of a window the history may fill: the rest (a quarter, at most 1024) is kept for the answer. */
export function historyBudget(limit: number): number {
  return limit - Math.min(1024, Math.floor(limit / 4));
}
