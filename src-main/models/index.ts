import type { PullProgress } from '../../src-shared/models.js';
import type { ResourceManager } from '../engine/resource-manager.js';
import type { OllamaProvider } from '../providers/ollama.js';
import type { OpenAIProvider } from '../providers/openai.js';
import { ModelService } from './service.js';

export { ContextWindow, type WindowPlan, type WindowSettings } from './context-window.js';
export { ModelService } from './service.js';

/**
 * Model management on the engine's providers: pulls stream through the
 * pooled client, one at a time, and `emit` receives their progress.
 * Shutdown stops the running pull along with the LLM streams.
 */
export function createModels(
  rm: ResourceManager,
  providers: { readonly ollama: OllamaProvider; readonly openai: OpenAIProvider },
  emit: (p: PullProgress) => void,
): ModelService {
  const service = new ModelService({ rm, ...providers, emit });
  rm.registerCleanup('model-pulls', () => service.pulls.close(), { phase: 'llm' });
  return service;
}
