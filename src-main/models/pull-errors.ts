import { VegaError } from '../../src-shared/errors.js';

/** Ollama's words for a name its registry does not know. */
const UNKNOWN = /file does not exist|manifest unknown|not found|pull model manifest: 4\d\d/i;
const DISK_FULL = /no space left|not enough space|insufficient (?:disk|storage)|disk (?:is )?full/i;
const NO_REGISTRY =
  /dial tcp|no such host|lookup |i\/o timeout|connection refused|network is unreachable|tls handshake|certificate|connection reset|proxyconnect|context deadline exceeded/i;

/** An `{"error": …}` line of a pull as the sentence that says the fix. */
export function pullError(said: string, name: string): VegaError {
  const text = said.trim().slice(0, 300) || 'no details given';
  if (DISK_FULL.test(text))
    return new VegaError(
      'PROVIDER_ERROR',
      `The disk Ollama keeps its models on is full (${text}) — free some space or move its models folder (OLLAMA_MODELS), then pull again: what was downloaded is kept.`,
    );
  if (NO_REGISTRY.test(text))
    return new VegaError(
      'PROVIDER_UNREACHABLE',
      `Ollama could not reach the model registry (${text}) — check the network (or HTTPS_PROXY) of the machine Ollama runs on, then pull again.`,
    );
  if (UNKNOWN.test(text))
    return new VegaError(
      'MODEL_NOT_FOUND',
      `The registry has no model "${name}" — check the name and tag at ollama.com/library (e.g. llama3.2:1b).`,
    );
  return new VegaError('PROVIDER_ERROR', `Ollama could not pull "${name}": ${text}`);
}

/** The stream ended (or broke) before Ollama said "success". */
export function cutError(name: string, cause?: unknown): VegaError {
  return new VegaError(
    'PROVIDER_ERROR',
    `The pull of "${name}" stopped before it finished (Ollama closed the stream) — pull it again: Ollama keeps what it downloaded, so it resumes.`,
    { cause },
  );
}
