import { ResourceManager, type ResourceManagerOptions } from '../engine/resource-manager.js';
import { createChat, type ChatModule } from '../chat/index.js';
import { coreHandlers } from './core-handlers.js';
import { EventHub } from './events.js';
import type { Handlers } from './router.js';
import { APP_VERSION } from './version.js';

export interface VegaAppOptions extends ResourceManagerOptions {
  readonly host: 'electron' | 'web';
  /** Dashboard tick, ms (1 s; tests may go faster). */
  readonly tickMs?: number;
}

/** Everything both hosts share: the engine, the services, the contract's handlers and events. */
export interface VegaApp {
  readonly rm: ResourceManager;
  readonly events: EventHub;
  readonly handlers: Handlers;
  readonly chat: ChatModule;
  readonly host: 'electron' | 'web';
}

/**
 * The composition root. Each host calls this once, then only adds its glue:
 * how calls arrive and where events go.
 */
export async function createVegaApp(opts: VegaAppOptions): Promise<VegaApp> {
  const rm = await ResourceManager.create(opts);
  const events = new EventHub();
  const chat = await createChat(rm, events);
  const handlers: Handlers = {
    ...coreHandlers(rm, opts.host, APP_VERSION),
    ...chat.handlers,
    'resources:providers': () => chat.providers(),
  };
  // One snapshot per second, pushed; the window of per-second rates closes
  // on this tick whether or not anyone is watching.
  const timer = setInterval(() => {
    const snap = rm.tick();
    if (events.listenerCount('resources:snapshot')) events.emit('resources:snapshot', snap);
  }, opts.tickMs ?? 1000);
  timer.unref();
  rm.registerCleanup('dashboard-ticker', () => clearInterval(timer), { phase: 'background' });
  return { rm, events, handlers, chat, host: opts.host };
}
