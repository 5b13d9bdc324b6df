import { compactSnapshot, type AppProcess } from '../../src-shared/resources.js';
import { ResourceManager, type ResourceManagerOptions } from '../engine/resource-manager.js';
import { createChat, type ChatModule } from '../chat/index.js';
import { createIntegrations, type Integrations, type IntegrationsOptions } from '../integrations/index.js';
import { coreHandlers } from './core-handlers.js';
import { EventHub } from './events.js';
import type { Handler, Handlers } from './router.js';
import type { CallName } from '../../src-shared/contract.js';
import { VegaError } from '../../src-shared/errors.js';
import { APP_VERSION } from './version.js';

export interface VegaAppOptions extends ResourceManagerOptions {
  readonly host: 'electron' | 'web';
  /** Dashboard tick, ms (1 s; tests may go faster). */
  readonly tickMs?: number;
  /** Test seams of the integrations (resolver, stand-in base URLs). */
  readonly integrations?: IntegrationsOptions;
  /** The host's view of all its processes (Electron's app.getAppMetrics), added to each tick. */
  readonly appProcesses?: () => readonly AppProcess[];
}

/** Everything both hosts share: the engine, the services, the contract's handlers and events. */
export interface VegaApp {
  readonly rm: ResourceManager;
  readonly events: EventHub;
  readonly handlers: Handlers;
  readonly chat: ChatModule;
  readonly integrations: Integrations;
  readonly host: 'electron' | 'web';
}

/**
 * The composition root. Each host calls this once, then only adds its glue:
 * how calls arrive and where events go.
 */
export async function createVegaApp(opts: VegaAppOptions): Promise<VegaApp> {
  const rm = await ResourceManager.create(opts);
  const events = new EventHub((p) => rm.redactDeep(p));
  const chat = await createChat(rm, events);
  const integrations = createIntegrations(rm, opts.integrations);
  // Every integration is a tool for the model, offered only while it is set up.
  for (const tool of integrations.tools) {
    chat.tools.register({
      ...tool,
      available: async () => (await integrations.configuredTools()).includes(tool),
    });
  }
  const { sso } = integrations;
  const handlers: Handlers = {
    ...coreHandlers(rm, opts.host, APP_VERSION),
    ...chat.handlers,
    'sso:status': () => sso.status(),
    'sso:start': async ({ provider }) => {
      const code = await sso.start(provider);
      // The approval happens in the browser; polling for it runs here, and
      // its outcome shows in `sso:status` (and in the log, when it fails).
      sso.wait(provider).catch((err: unknown) => rm.logger.warn({ provider }, `Sign-in did not complete: ${err instanceof Error ? err.message : String(err)}`));
      return code;
    },
    'sso:cancel': ({ provider }) => {
      sso.cancel(provider);
      return { cancelled: true };
    },
    'sso:signOut': async ({ provider }) => {
      await sso.signOut(provider);
      return { signedOut: true };
    },
    'resources:providers': async () => {
      const [llm, integrationHealth] = await Promise.all([chat.providers(), integrations.health()]);
      return { ...llm, providers: [...llm.providers, ...integrationHealth], integrations: integrations.stats() };
    },
  };
  // One snapshot per second, pushed; the window of per-second rates closes
  // on this tick whether or not anyone is watching.
  const timer = setInterval(() => {
    const snap = rm.tick();
    if (!events.listenerCount('resources:snapshot')) return;
    const appProcesses = opts.appProcesses?.();
    events.emit('resources:snapshot', compactSnapshot(appProcesses ? { ...snap, appProcesses } : snap));
  }, opts.tickMs ?? 1000);
  timer.unref();
  rm.registerCleanup('dashboard-ticker', () => clearInterval(timer), { phase: 'background' });
  return { rm, events, handlers: redacting(handlers, rm), chat, integrations, host: opts.host };
}

/** Every answer and error message leaves main with known secrets replaced. */
function redacting(handlers: Handlers, rm: ResourceManager): Handlers {
  const wrap = (h: Handler<CallName>): Handler<CallName> => async (params, ctx) => {
    try {
      return rm.redactDeep(await h(params as never, ctx));
    } catch (err) {
      throw err instanceof VegaError ? new VegaError(err.code, rm.redact(err.message), { cause: err }) : err;
    }
  };
  return Object.fromEntries(Object.entries(handlers).map(([c, h]) => [c, wrap(h as Handler<CallName>)])) as unknown as Handlers;
}
