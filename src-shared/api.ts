import type { CallName, CallParams, CallResult, Envelope, EventName, EventPayloads } from './contract.js';
import { VegaError } from './errors.js';
import { expandSnapshot, type ResourceSnapshot } from './resources.js';

export type Unsubscribe = () => void;

/** The one interface the renderer codes against, whichever host it runs in. */
export interface VegaApi {
  readonly chat: {
    list(p?: CallParams<'chat:list'>): Promise<CallResult<'chat:list'>>;
    get(p: CallParams<'chat:get'>): Promise<CallResult<'chat:get'>>;
    create(p?: CallParams<'chat:create'>): Promise<CallResult<'chat:create'>>;
    update(p: CallParams<'chat:update'>): Promise<CallResult<'chat:update'>>;
    delete(p: CallParams<'chat:delete'>): Promise<CallResult<'chat:delete'>>;
    send(p: CallParams<'chat:send'>): Promise<CallResult<'chat:send'>>;
    stop(p: CallParams<'chat:stop'>): Promise<CallResult<'chat:stop'>>;
    regenerate(p: CallParams<'chat:regenerate'>): Promise<CallResult<'chat:regenerate'>>;
    edit(p: CallParams<'chat:edit'>): Promise<CallResult<'chat:edit'>>;
    confirmTool(p: CallParams<'chat:confirmTool'>): Promise<CallResult<'chat:confirmTool'>>;
    export(p: CallParams<'chat:export'>): Promise<CallResult<'chat:export'>>;
    models(p: CallParams<'chat:models'>): Promise<CallResult<'chat:models'>>;
    onEvent(cb: (e: EventPayloads['chat:event']) => void): Unsubscribe;
  };
  readonly resources: {
    snapshot(): Promise<CallResult<'resources:snapshot'>>;
    health(): Promise<CallResult<'resources:health'>>;
    providers(): Promise<CallResult<'resources:providers'>>;
    requests(p?: CallParams<'resources:requests'>): Promise<CallResult<'resources:requests'>>;
    invalidateCache(): Promise<CallResult<'resources:invalidateCache'>>;
    /** One per second, pushed. */
    onSnapshot(cb: (s: ResourceSnapshot) => void): Unsubscribe;
  };
  readonly config: {
    get(): Promise<CallResult<'config:get'>>;
    set(p: CallParams<'config:set'>): Promise<CallResult<'config:set'>>;
  };
  readonly sso: {
    status(): Promise<CallResult<'sso:status'>>;
    /** Get a code to show; Vega then waits for the approval in the background (watch `status`). */
    start(p: CallParams<'sso:start'>): Promise<CallResult<'sso:start'>>;
    cancel(p: CallParams<'sso:cancel'>): Promise<CallResult<'sso:cancel'>>;
    signOut(p: CallParams<'sso:signOut'>): Promise<CallResult<'sso:signOut'>>;
  };
  readonly mcp: {
    /** Every MCP server: its settings (never an env or header value), state, tools and figures. */
    list(): Promise<CallResult<'mcp:list'>>;
    /** Add, change, remove, enable or disable one server; mcp.json is written atomically and the servers follow at once. */
    save(p: CallParams<'mcp:save'>): Promise<CallResult<'mcp:save'>>;
    restart(p: CallParams<'mcp:restart'>): Promise<CallResult<'mcp:restart'>>;
  };
  readonly app: {
    info(): Promise<CallResult<'app:info'>>;
    logs(p?: CallParams<'app:logs'>): Promise<CallResult<'app:logs'>>;
    exportDiagnostics(): Promise<CallResult<'app:exportDiagnostics'>>;
    /** Restart Vega so settings read at start apply (the web host answers that its command must be restarted). */
    restart(): Promise<CallResult<'app:restart'>>;
  };
  readonly models: {
    /** Each provider's installed models, with what is loaded now. */
    list(): Promise<CallResult<'models:list'>>;
    show(p: CallParams<'models:show'>): Promise<CallResult<'models:show'>>;
    /** The pulls main holds (running, queued and the last finished), for a window that just opened. */
    pulls(): Promise<CallResult<'models:pulls'>>;
    /** Queue a pull; its progress comes as `onProgress` events. */
    pull(p: CallParams<'models:pull'>): Promise<CallResult<'models:pull'>>;
    cancelPull(p: CallParams<'models:cancelPull'>): Promise<CallResult<'models:cancelPull'>>;
    delete(p: CallParams<'models:delete'>): Promise<CallResult<'models:delete'>>;
    load(p: CallParams<'models:load'>): Promise<CallResult<'models:load'>>;
    unload(p: CallParams<'models:unload'>): Promise<CallResult<'models:unload'>>;
    onProgress(cb: (p: EventPayloads['models:progress']) => void): Unsubscribe;
  };
  readonly attachments: {
    /** Store a file (typed by content, documents extracted) before sending; the ref goes into `chat.send`'s `attachments` as its id. */
    add(p: CallParams<'attachments:add'>): Promise<CallResult<'attachments:add'>>;
    /** A thumbnail or the file itself, on demand (messages carry references only). */
    get(p: CallParams<'attachments:get'>): Promise<CallResult<'attachments:get'>>;
  };
  readonly setup: {
    /** What the first-run card shows; cheap enough to ask every few seconds while it is shown. */
    status(): Promise<CallResult<'setup:status'>>;
    /** Try an OpenAI-compatible address before saving it. */
    testConnection(p: CallParams<'setup:testConnection'>): Promise<CallResult<'setup:testConnection'>>;
  };
}

/** How a bridge moves one call and one subscription; both hosts' clients supply these two. */
export interface Transport {
  /** `requestId` follows the call into the host's logs and outbound requests. */
  invoke(channel: CallName, params: unknown, requestId?: string): Promise<Envelope<unknown>>;
  subscribe<E extends EventName>(event: E, cb: (payload: EventPayloads[E]) => void): Unsubscribe;
}

/**
 * A request id made where the call starts, in the window. randomUUID exists
 * only in secure contexts (https, localhost); the web host opened over plain
 * http on a LAN address lacks it, so the same v4 UUID is built from
 * getRandomValues, which every context has.
 */
export function newRequestId(): string {
  const c = globalThis.crypto;
  if (typeof c.randomUUID === 'function') return c.randomUUID();
  const b = c.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Build the VegaApi over a transport: the one place that maps methods to channels. */
export function createVegaApi(t: Transport): VegaApi {
  const call =
    <C extends CallName>(channel: C) =>
    async (params?: CallParams<C>): Promise<CallResult<C>> => {
      const env = await t.invoke(channel, params ?? {}, newRequestId());
      if (env.ok) return env.value as CallResult<C>;
      throw new VegaError(env.error.code, env.error.message, { details: env.error.details });
    };
  return {
    chat: {
      list: call('chat:list'),
      get: call('chat:get'),
      create: call('chat:create'),
      update: call('chat:update'),
      delete: call('chat:delete'),
      send: call('chat:send'),
      stop: call('chat:stop'),
      regenerate: call('chat:regenerate'),
      edit: call('chat:edit'),
      confirmTool: call('chat:confirmTool'),
      export: call('chat:export'),
      models: call('chat:models'),
      onEvent: (cb) => t.subscribe('chat:event', cb),
    },
    resources: {
      snapshot: call('resources:snapshot'),
      health: call('resources:health'),
      providers: call('resources:providers'),
      requests: call('resources:requests'),
      invalidateCache: call('resources:invalidateCache'),
      onSnapshot: (cb) => t.subscribe('resources:snapshot', (wire) => cb(expandSnapshot(wire))),
    },
    config: { get: call('config:get'), set: call('config:set') },
    sso: { status: call('sso:status'), start: call('sso:start'), cancel: call('sso:cancel'), signOut: call('sso:signOut') },
    mcp: { list: call('mcp:list'), save: call('mcp:save'), restart: call('mcp:restart') },
    app: { info: call('app:info'), logs: call('app:logs'), exportDiagnostics: call('app:exportDiagnostics'), restart: call('app:restart') },
    models: {
      list: call('models:list'),
      show: call('models:show'),
      pulls: call('models:pulls'),
      pull: call('models:pull'),
      cancelPull: call('models:cancelPull'),
      delete: call('models:delete'),
      load: call('models:load'),
      unload: call('models:unload'),
      onProgress: (cb) => t.subscribe('models:progress', cb),
    },
    setup: { status: call('setup:status'), testConnection: call('setup:testConnection') },
    attachments: { add: call('attachments:add'), get: call('attachments:get') },
  };
}
