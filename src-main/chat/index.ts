import type { ChatEvent } from '../../src-shared/chat.js';
import type { ProvidersReport } from '../../src-shared/contract.js';
import type { ChatAttachments } from '../attachments/service.js';
import type { ResourceManager } from '../engine/resource-manager.js';
import type { ContextWindow } from '../models/context-window.js';
import type { EndpointStats } from '../../src-shared/resources.js';
import { Fleet } from '../providers/fleet/fleet.js';
import { OllamaProvider } from '../providers/ollama.js';
import { OpenAIProvider } from '../providers/openai.js';
import { ChatService } from './service.js';
import { ToolRegistry } from './tools.js';
import type { ToolLimits } from './turn.js';

export { ChatService, type Completion, type CompleteParams } from './service.js';
export { ToolRegistry, type Tool, type ToolContext } from './tools.js';

export interface ChatModule {
  /** Each LLM provider's health and Ollama's loaded models, bounded by 2 s. */
  providers(): Promise<ProvidersReport>;
  /** Conversations and turns: every `chat:*` call, and the web host's POST /chat (`complete()`). */
  readonly service: ChatService;
  /** Where integrations register the tools the model may call. */
  readonly tools: ToolRegistry;
  /** Each kind's provider at its list's first server: model management (pulls, show, delete) goes there. */
  readonly llmProviders: { readonly ollama: OllamaProvider; readonly openai: OpenAIProvider };
  /** Each kind over every server its list names, routed per turn: what chat turns use. */
  readonly fleets: { readonly ollama: Fleet; readonly openai: Fleet };
  /** The fleets' endpoints for the Fleet card and the admin stats; [] while each list has one server. */
  endpoints(): EndpointStats[];
}

export interface ChatOptions {
  readonly toolLimits?: Partial<ToolLimits>;
  readonly window?: ContextWindow;
  readonly attachments?: ChatAttachments;
}

const REPORT_TIMEOUT_MS = 2_000;

/** The chat service on the engine's providers; `emit` receives every chat event, for whoever forwards them. */
export async function createChat(rm: ResourceManager, emit: (e: ChatEvent) => void, opts: ChatOptions = {}): Promise<ChatModule> {
  const llmProviders = { ollama: new OllamaProvider(rm), openai: new OpenAIProvider(rm) } as const;
  const fleets = {
    ollama: new Fleet(rm, llmProviders.ollama, 'OLLAMA_HOST', (e) => new OllamaProvider(rm, e)),
    openai: new Fleet(rm, llmProviders.openai, 'OPENAI_BASE_URL', (e) => new OpenAIProvider(rm, e)),
  } as const;
  const tools = new ToolRegistry();
  const service = await ChatService.open({
    dir: ChatService.dirFor(rm.dataDir),
    logger: rm.logger,
    redact: (text) => rm.redact(text),
    streamCut: (text) => rm.streamCut(text),
    providers: fleets,
    tools,
    emit,
    llm: rm.llm,
    storage: rm.storage,
    defaultModel: async () => (await rm.config.get()).string('VEGA_MODEL') || 'llama3.2',
    toolLimits: opts.toolLimits,
    window: opts.window,
    attachments: opts.attachments,
  });
  // Answers first, so each stopped one is saved with its partial text; then any stream left over.
  rm.registerCleanup('chat-turns', () => service.close(), { phase: 'llm' });
  rm.registerCleanup('llm-streams', () => Object.values(fleets).forEach((p) => p.abortAll()), { phase: 'llm' });

  return {
    service,
    tools,
    llmProviders,
    fleets,
    endpoints: () => [...fleets.ollama.endpoints(), ...fleets.openai.endpoints()],
    async providers() {
      const [ollama, openai, loadedModels] = await Promise.all([
        fleets.ollama.health(REPORT_TIMEOUT_MS),
        fleets.openai.health(REPORT_TIMEOUT_MS),
        fleets.ollama.loaded(REPORT_TIMEOUT_MS),
      ]);
      return { providers: [ollama, openai], loadedModels };
    },
  };
}
