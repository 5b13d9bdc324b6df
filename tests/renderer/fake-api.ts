import type { VegaApi } from '../../src-shared/api.js';
import type { ChatEvent, ChatMessage, Conversation, ConversationPage, ConversationSummary } from '../../src-shared/chat.js';
import type { CallParams, CallResult, DeviceCodeValue, LogLine, LogQuery, SsoStatusValue } from '../../src-shared/contract.js';
import type { ProviderModels, PullProgress, SetupStatus } from '../../src-shared/models.js';
import type { McpStatus } from '../../src-shared/mcp.js';
import type { RecentRequest, ResourceSnapshot } from '../../src-shared/resources.js';
import type { Connection } from '../../src-renderer/api/connection.js';

/**
 * A fake of our own VegaApi interface: calls answer from in-memory data,
 * events are pushed by the test with `emit`. No network, no host.
 */
export interface FakeApi {
  readonly api: VegaApi;
  readonly connection: Connection;
  readonly calls: { channel: string; params: unknown }[];
  emit(e: ChatEvent): void;
  snapshot(s: ResourceSnapshot): void;
  /** What `app.logs` filters (newest first, as the host keeps them); tests may replace its contents. */
  readonly logLines: LogLine[];
  /** What `resources.requests` answers. */
  readonly requests: RecentRequest[];
  /** The sign-in state `sso.status` answers; tests change it to play the host's background wait. */
  readonly sso: { statuses: SsoStatusValue[]; code: DeviceCodeValue };
  /** What `mcp.list` answers (and `mcp.save` returns); tests change it. */
  readonly mcp: { status: McpStatus; saveErrors: Record<string, string> };
  /** What `models.*` and `setup.status` answer; `progress` pushes a pull's event as main would. */
  readonly models: { providers: ProviderModels[]; pulls: PullProgress[]; setup: SetupStatus };
  progress(p: PullProgress): void;
  /** How `attachments.add` and `.get` answer; tests replace them (unset, they fail like any call not faked). */
  readonly attachments: {
    add: (p: CallParams<'attachments:add'>) => Promise<CallResult<'attachments:add'>>;
    get: (p: CallParams<'attachments:get'>) => Promise<CallResult<'attachments:get'>>;
  };
}

/** A first-run status; ready (Ollama with VEGA_MODEL installed) unless the test says otherwise. */
export function setupStatus(extra: Partial<SetupStatus> = {}): SetupStatus {
  const server = { configured: true, url: 'http://127.0.0.1:11434', reachable: true, error: null, models: ['llama3.2:latest'] };
  return {
    ready: true,
    provider: 'ollama',
    model: 'llama3.2',
    defaultModel: 'llama3.2',
    defaultInstalled: true,
    ollama: server,
    openai: { ...server, configured: false, url: null, reachable: false, models: [] },
    platform: 'linux',
    ...extra,
  };
}

/** A pull as main reports it, halfway by default. */
export function pullProgress(name: string, extra: Partial<PullProgress> = {}): PullProgress {
  const at = new Date().toISOString();
  const half = { completed: 500, total: 1000, layers: [], bytesPerSecond: 100, secondsLeft: 5 };
  return { name, state: 'pulling', status: 'pulling abc', ...half, error: null, queuedAt: at, updatedAt: at, ...extra };
}

const LEVEL_RANK = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;

export function logLine(msg: string, extra: Partial<LogLine> = {}): LogLine {
  return { level: 'info', time: Date.now(), msg, requestId: null, fields: {}, ...extra };
}

export function ssoStatus(provider: SsoStatusValue['provider'], extra: Partial<SsoStatusValue> = {}): SsoStatusValue {
  return { provider, configured: true, signedIn: false, expiresAt: null, scope: null, pending: false, tokenStorage: 'file', ...extra };
}

export function recentRequest(requestId: string | null, extra: Partial<RecentRequest> = {}): RecentRequest {
  return {
    method: 'POST',
    origin: 'http://127.0.0.1:11434',
    path: '/api/chat',
    status: 200,
    ms: 120,
    bytes: 2048,
    requestId,
    at: Date.now(),
    error: null,
    ...extra,
  };
}

/** A conversation's header as `chat:get` has it; the list's summaries leave the system prompt out. */
export function summary(id: string, title = `Chat ${id}`): ConversationSummary & Pick<Conversation, 'systemPrompt'> {
  const now = new Date().toISOString();
  return { id, title, model: 'llama3.2', provider: 'ollama', systemPrompt: '', createdAt: now, updatedAt: now, messageCount: 0 };
}

export function message(id: string, role: ChatMessage['role'], content: string, extra: Partial<ChatMessage> = {}): ChatMessage {
  return { id, role, content, createdAt: new Date().toISOString(), ...extra };
}

/** One page of a conversation, as the host cuts it: `limit` messages before `before`, oldest first. */
function page(c: Conversation, p: { before?: string; limit?: number }): ConversationPage {
  const end = p.before === undefined ? c.messages.length : c.messages.findIndex((m) => m.id === p.before);
  if (end < 0) throw new Error(`no message ${p.before}`);
  const start = p.limit === undefined ? 0 : Math.max(0, end - p.limit);
  return { ...c, messages: c.messages.slice(start, end), hasMore: start > 0 };
}

export function fakeApi(conversations: Conversation[] = []): FakeApi {
  const logLines: LogLine[] = [];
  const requests: RecentRequest[] = [];
  const mcp = {
    status: { configPath: '/tmp/vega/mcp.json', configError: null, configFix: null, servers: [] } as McpStatus,
    saveErrors: {} as Record<string, string>,
  };
  const sso = {
    statuses: [ssoStatus('oidc', { configured: false }), ssoStatus('github', { configured: false })],
    code: {
      userCode: 'WDJB-MJHT',
      verificationUri: 'https://example.com/device',
      verificationUriComplete: 'https://example.com/device?user_code=WDJB-MJHT',
      expiresIn: 900,
      interval: 5,
    } as DeviceCodeValue,
  };
  const chatListeners = new Set<(e: ChatEvent) => void>();
  const snapListeners = new Set<(s: ResourceSnapshot) => void>();
  const progressListeners = new Set<(p: PullProgress) => void>();
  const models = {
    providers: [
      { provider: 'ollama' as const, configured: true, reachable: true, error: null, models: [] },
      { provider: 'openai' as const, configured: false, reachable: false, error: null, models: [] },
    ] as ProviderModels[],
    pulls: [] as PullProgress[],
    setup: setupStatus(),
  };
  const notFaked = () => Promise.reject(new Error('fake VegaApi: attachments are not faked in this test'));
  const attachments: FakeApi['attachments'] = { add: notFaked, get: notFaked };
  const calls: { channel: string; params: unknown }[] = [];
  const rec =
    <T>(channel: string, answer: (p: any) => T) =>
    async (p?: unknown): Promise<T> => {
      calls.push({ channel, params: p });
      return answer(p);
    };
  const byId = (id: string) => {
    const c = conversations.find((x) => x.id === id);
    if (!c) throw new Error(`no conversation ${id}`);
    return c;
  };
  const known = {
    chat: {
      list: rec('chat:list', () => conversations.map(({ messages: _m, systemPrompt: _p, ...s }) => s)),
      get: rec('chat:get', (p: { conversationId: string; before?: string; limit?: number }) => page(byId(p.conversationId), p)),
      create: rec('chat:create', () => summary('new1', 'New chat')),
      update: rec('chat:update', (p: { conversationId: string; title?: string }) => ({
        ...summary(p.conversationId),
        ...(p.title ? { title: p.title } : {}),
      })),
      delete: rec('chat:delete', () => ({ deleted: true })),
      send: rec('chat:send', () => ({ messageId: 'a-new' })),
      stop: rec('chat:stop', () => ({ stopped: true })),
      regenerate: rec('chat:regenerate', () => ({ messageId: 'a-regen' })),
      edit: rec('chat:edit', () => ({ messageId: 'a-edit' })),
      confirmTool: rec('chat:confirmTool', () => ({ ok: true })),
      export: rec('chat:export', () => ({ filename: 'x.md', content: '' })),
      models: rec('chat:models', () => [{ name: 'llama3.2:latest' }]),
      onEvent: (cb: (e: ChatEvent) => void) => {
        chatListeners.add(cb);
        return () => void chatListeners.delete(cb);
      },
    } satisfies VegaApi['chat'],
    resources: {
      snapshot: rec('resources:snapshot', () => {
        throw new Error('the dashboard must not poll snapshots');
      }),
      health: rec('resources:health', () => ({
        status: 'healthy' as const,
        checks: { healthy: true, httpClient: true, configCache: true, cleanupTasks: 3, storage: true },
        problems: [],
        timestamp: new Date().toISOString(),
      })),
      providers: rec('resources:providers', () => ({ providers: [], loadedModels: [] })),
      requests: rec('resources:requests', () => [...requests]),
      invalidateCache: rec('resources:invalidateCache', () => ({ invalidated: true as const })),
      onSnapshot: (cb: (s: ResourceSnapshot) => void) => {
        snapListeners.add(cb);
        return () => void snapListeners.delete(cb);
      },
    } satisfies VegaApi['resources'],
    config: {
      get: rec('config:get', () => []),
      set: rec('config:set', () => ({ saved: true, errors: {} })),
    } satisfies VegaApi['config'],
    app: {
      info: rec('app:info', () => ({ version: '0.0.0', host: 'web' as const, dataDir: '/tmp', platform: 'linux' })),
      logs: rec('app:logs', (q: LogQuery = {}) =>
        logLines
          .filter((l) => LEVEL_RANK[l.level] >= LEVEL_RANK[q.level ?? 'trace'] && (!q.requestId || l.requestId === q.requestId))
          .slice(0, q.limit ?? 1000),
      ),
      exportDiagnostics: rec('app:exportDiagnostics', () => ({ path: '/tmp/vega/diagnostics/vega-diagnostics-1.json' })),
      restart: rec('app:restart', () => ({ restarting: false, message: 'Restart the command to apply.' })),
    } satisfies VegaApi['app'],
    sso: {
      status: rec('sso:status', () => sso.statuses.map((s) => ({ ...s }))),
      start: rec('sso:start', (p: { provider: SsoStatusValue['provider'] }) => {
        sso.statuses = sso.statuses.map((s) => (s.provider === p.provider ? { ...s, pending: true } : s));
        return { ...sso.code };
      }),
      cancel: rec('sso:cancel', (p: { provider: SsoStatusValue['provider'] }) => {
        sso.statuses = sso.statuses.map((s) => (s.provider === p.provider ? { ...s, pending: false } : s));
        return { cancelled: true as const };
      }),
      signOut: rec('sso:signOut', (p: { provider: SsoStatusValue['provider'] }) => {
        sso.statuses = sso.statuses.map((s) => (s.provider === p.provider ? { ...s, signedIn: false, expiresAt: null, scope: null } : s));
        return { signedOut: true as const };
      }),
    } satisfies VegaApi['sso'],
    mcp: {
      list: rec('mcp:list', () => mcp.status),
      save: rec('mcp:save', () => ({ saved: !Object.keys(mcp.saveErrors).length, errors: mcp.saveErrors, status: mcp.status })),
      restart: rec('mcp:restart', () => mcp.status),
    } satisfies VegaApi['mcp'],
    models: {
      list: rec('models:list', () => models.providers),
      show: rec('models:show', (p: { name: string }) => ({
        name: p.name,
        contextLength: 8192,
        defaultNumCtx: null,
        capabilities: ['completion'],
      })),
      pulls: rec('models:pulls', () => [...models.pulls]),
      pull: rec('models:pull', (p: { name: string }) => pullProgress(p.name, { state: 'queued', completed: 0, total: 0 })),
      cancelPull: rec('models:cancelPull', () => ({ cancelled: true })),
      delete: rec('models:delete', () => ({ deleted: true as const })),
      load: rec('models:load', () => ({ loaded: true as const })),
      unload: rec('models:unload', () => ({ unloaded: true as const })),
      onProgress: (cb: (p: PullProgress) => void) => {
        progressListeners.add(cb);
        return () => void progressListeners.delete(cb);
      },
    } satisfies VegaApi['models'],
    setup: {
      status: rec('setup:status', () => models.setup),
      testConnection: rec('setup:testConnection', () => ({ ok: true, message: 'Connected: it lists 1 model.', models: ['m'] })),
    } satisfies VegaApi['setup'],
    attachments: {
      add: (p) => {
        calls.push({ channel: 'attachments:add', params: p });
        return attachments.add(p);
      },
      get: (p) => {
        calls.push({ channel: 'attachments:get', params: p });
        return attachments.get(p);
      },
    } satisfies VegaApi['attachments'],
  };
  // Namespaces the window does not use are not faked: any call to them fails loudly.
  const api = new Proxy(known, {
    get: (target, key) =>
      key in target
        ? target[key as keyof typeof target]
        : new Proxy(
            {},
            { get: (_t, method) => () => Promise.reject(new Error(`fake VegaApi: ${String(key)}.${String(method)} is not faked`)) },
          ),
  }) as unknown as VegaApi;
  return {
    api,
    calls,
    connection: { api, status: () => 'open', onStatus: () => () => undefined },
    emit: (e) => chatListeners.forEach((l) => l(e)),
    snapshot: (s) => snapListeners.forEach((l) => l(s)),
    logLines,
    requests,
    sso,
    mcp,
    models,
    progress: (p) => progressListeners.forEach((l) => l(p)),
    attachments,
  };
}

/** A plausible one-second snapshot at time t (one origin, a healthy host). */
export function resourceSnapshot(t: number): ResourceSnapshot {
  const lat = { p50: 12, p95: 40, p99: 80 };
  return {
    t,
    manager: {
      httpClientsCreated: 1,
      httpRequestsMade: 42,
      httpRequestsFailed: 0,
      httpInFlight: 0,
      scopedInUse: 0,
      connectionsOpened: 2,
      connectionsClosed: 0,
      connectionLimit: 100,
      configCacheHits: 9,
      configCacheMisses: 1,
      configCacheHitRate: 90,
      cleanupTasksRegistered: 4,
      startupTime: 0,
      shutdownTime: null,
      uptimeSeconds: 75,
    },
    origins: [
      {
        origin: 'http://127.0.0.1:11434',
        pool: { connected: 2, free: 1, pending: 0, queued: 0, running: 1, size: 2 },
        requests: 42,
        failed: 0,
        inFlight: 1,
        connectionsOpened: 2,
        connectionsClosed: 0,
        rps: 3,
        windowMs: lat,
        totalMs: lat,
      },
    ],
    configCache: { hits: 9, misses: 1, hitRate: 90, cacheAgeSeconds: 12, cached: true, loads: 1, degraded: false, lastError: null },
    llm: { turns: 3, failed: 0, tokens: 300, ttftMs: lat, lastTokensPerSecond: 55.5 },
    process: {
      rss: 90 * 1024 * 1024,
      heapUsed: 20 * 1024 * 1024,
      heapTotal: 34 * 1024 * 1024,
      eventLoopDelayP50Ms: 1,
      eventLoopDelayP99Ms: 4,
    },
    storage: {
      conversations: 4,
      messages: 30,
      historyBytes: 48_000,
      logBytes: 120_000,
      diagnosticsBytes: 0,
      appends: 34,
      tornTailsRepaired: 0,
      failedWrites: 0,
      lastWriteError: null,
      diskFreeBytes: 80 * 1024 ** 3,
      diskTotalBytes: 250 * 1024 ** 3,
      diskLowBytes: 500 * 1024 ** 2,
      ops: {
        list: { count: 3, totalMs: lat, windowCount: 0, windowMs: lat },
        get: { count: 5, totalMs: lat, windowCount: 1, windowMs: lat },
        append: { count: 34, totalMs: lat, windowCount: 2, windowMs: lat },
        fsync: { count: 34, totalMs: lat, windowCount: 2, windowMs: lat },
      },
      status: 'ok',
      problem: null,
      fix: null,
      measuredAt: 0,
    },
    health: 'healthy',
  };
}
