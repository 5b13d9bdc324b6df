import type { AppProcess } from '../../src-shared/resources.js';
import type { CallName } from '../../src-shared/contract.js';
import { VegaError } from '../../src-shared/errors.js';
import { uploadMaxBytes } from '../../src-shared/attachments.js';
import type { ExtractBounds, WorkerFile } from '../attachments/extract.js';
import { AttachmentService } from '../attachments/service.js';
import { AttachmentStore } from '../attachments/store.js';
import { coalesceTokens } from '../chat/coalesce.js';
import { createChat, type ChatModule } from '../chat/index.js';
import { privateDir } from '../engine/private-files.js';
import { ResourceManager, type ResourceManagerOptions } from '../engine/resource-manager.js';
import { createIntegrations, type Integrations, type IntegrationsOptions } from '../integrations/index.js';
import { createMcp, type McpModule, type McpOptions } from '../mcp/index.js';
import { ContextWindow, createModels, type ModelService } from '../models/index.js';
import { diagnosticsDir } from './diagnostics.js';
import { EventHub } from './events.js';
import { appHandlers } from './handlers/app.js';
import { attachmentsHandlers } from './handlers/attachments.js';
import { chatHandlers } from './handlers/chat.js';
import { configHandlers } from './handlers/config.js';
import { mcpHandlers } from './handlers/mcp.js';
import { modelsHandlers, setupHandlers } from './handlers/models.js';
import { resourcesHandlers } from './handlers/resources.js';
import { ssoHandlers } from './handlers/sso.js';
import { createQuit, type Quit, type SignalSource } from './quit.js';
import type { Handler, Handlers } from './router.js';
import { startDashboardTicker } from './ticker.js';
import { APP_VERSION } from './version.js';

export interface VegaAppOptions extends ResourceManagerOptions {
  readonly host: 'electron' | 'web';
  /** Dashboard tick, ms (1 s; tests may go faster). */
  readonly tickMs?: number;
  /** Test seams of the integrations (resolver, stand-in base URLs). */
  readonly integrations?: IntegrationsOptions;
  /** The MCP servers' file and timing (tests, the bench). */
  readonly mcp?: McpOptions;
  /** The host's view of all its processes (Electron's app.getAppMetrics), added to each tick. */
  readonly appProcesses?: () => readonly AppProcess[];
  /** How the process ends after the quit's cleanup: Electron's `app.exit`; `process.exit` by default. */
  readonly exit?: (code: number) => void;
  /** SIGINT/SIGTERM start the quit: the hosts pass the process, tests a fake emitter or nothing. */
  readonly signals?: SignalSource;
  /** Electron's `app.relaunch`, which `app:restart` needs; the web host has none. */
  readonly relaunch?: () => void;
  /** The quit's own bound around the whole cleanup (20 s). */
  readonly quitBoundMs?: number;
  /** Test seams of the attachments: the extraction worker's file and bounds. */
  readonly attachments?: { readonly workerFile?: WorkerFile; readonly bounds?: Partial<ExtractBounds> };
}

/** Everything both hosts share: the engine, the services, the contract's handlers and events, the way out. */
export interface VegaApp {
  readonly rm: ResourceManager;
  readonly events: EventHub;
  readonly handlers: Handlers;
  readonly chat: ChatModule;
  readonly models: ModelService;
  readonly integrations: Integrations;
  readonly mcp: McpModule;
  readonly attachments: AttachmentService;
  readonly host: 'electron' | 'web';
  /** Start (or join) the one bounded quit: cleanup in the seed's order, then exit 0. */
  readonly quit: Quit;
}

/** Files added and never sent are kept this long (a day) after their last add. */
const UNSENT_KEPT_MS = 24 * 60 * 60 * 1000;

/**
 * The composition root. Each host calls this once, then only adds its glue:
 * how calls arrive, where events go, what ends the process.
 */
export async function createVegaApp(opts: VegaAppOptions): Promise<VegaApp> {
  // Both hosts pick up an edit of the .env file on disk at once, not at the TTL.
  const rm = await ResourceManager.create({ ...opts, watchConfig: opts.watchConfig ?? true });
  await privateDir(diagnosticsDir(rm), { contents: true });
  const events = new EventHub((p) => rm.redactDeep(p));
  // A turn asks the models service for its model's window; both are made here, the service right after the chat's providers.
  const window = new ContextWindow((provider, model) => models.contextLimit(provider, model), rm.logger);
  const attachments = new AttachmentService({
    store: await AttachmentStore.open(rm.dataDir),
    models: {
      capabilities: async (model) => (await models.show(model)).capabilities,
      installed: async () => (await chat.llmProviders.ollama.models()).map((m) => m.name),
      contextLimit: (provider, model) => models.contextLimit(provider, model),
    },
    logger: rm.logger,
    maxBytes: uploadMaxBytes((await rm.config.get()).int('VEGA_UPLOAD_MAX_MB')),
    ...opts.attachments,
  });
  const chat = await createChat(
    rm,
    coalesceTokens((e) => events.emit('chat:event', e)),
    { window, attachments },
  );
  // Files added but never sent, and those of conversations deleted while Vega stopped half-way.
  await attachments.store.collect((id) => chat.service.store.has(id), UNSENT_KEPT_MS);
  const models = createModels(rm, chat.llmProviders, (p) => events.emit('models:progress', p));
  const integrations = createIntegrations(rm, opts.integrations);
  // Every integration is a tool for the model, offered only while it is set up.
  for (const tool of integrations.tools) {
    chat.tools.register({
      ...tool,
      available: async () => (await integrations.configuredTools()).includes(tool),
    });
  }
  // MCP servers start in the background: their tools join the chat's as each one becomes ready.
  const mcp = await createMcp(rm, chat.tools, { clientVersion: APP_VERSION, ...opts.mcp });
  const quit = createQuit({
    shutdown: () => rm.shutdown(),
    logger: rm.logger,
    exit: opts.exit ?? ((code) => process.exit(code)),
    signals: opts.signals,
    boundMs: opts.quitBoundMs,
  });
  const handlers: Handlers = {
    ...chatHandlers(chat.service),
    ...resourcesHandlers(rm, chat, integrations, mcp),
    ...configHandlers(rm),
    ...appHandlers(rm, { host: opts.host, version: APP_VERSION, relaunch: opts.relaunch, quit }),
    ...ssoHandlers(integrations.sso, rm.logger),
    ...mcpHandlers(mcp),
    ...modelsHandlers(models),
    ...setupHandlers(models),
    ...attachmentsHandlers(attachments),
  };
  const appProcesses = opts.appProcesses;
  const extras = () => {
    const endpoints = chat.endpoints();
    return { ...(appProcesses && { appProcesses: appProcesses() }), mcp: mcp.snapshot(), ...(endpoints.length ? { endpoints } : {}) };
  };
  startDashboardTicker(rm, events, opts.tickMs ?? 1000, extras);
  return { rm, events, handlers: redacting(handlers, rm), chat, models, integrations, mcp, attachments, host: opts.host, quit };
}

/** Every answer and error message leaves main with known secrets replaced. */
function redacting(handlers: Handlers, rm: ResourceManager): Handlers {
  const wrap =
    (h: Handler<CallName>): Handler<CallName> =>
    async (params, ctx) => {
      try {
        return rm.redactDeep(await h(params as never, ctx));
      } catch (err) {
        throw err instanceof VegaError ? new VegaError(err.code, rm.redact(err.message), { cause: err, details: err.details }) : err;
      }
    };
  return Object.fromEntries(Object.entries(handlers).map(([c, h]) => [c, wrap(h as Handler<CallName>)])) as unknown as Handlers;
}
