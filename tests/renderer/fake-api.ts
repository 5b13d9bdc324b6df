import type { VegaApi } from '../../src-shared/api.js';
import type { ChatEvent, ChatMessage, Conversation, ConversationSummary } from '../../src-shared/chat.js';
import type { DeviceCodeValue, LogLine, LogQuery, SsoStatusValue } from '../../src-shared/contract.js';
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
}

const LEVEL_RANK = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;

export function logLine(msg: string, extra: Partial<LogLine> = {}): LogLine {
  return { level: 'info', time: Date.now(), msg, requestId: null, fields: {}, ...extra };
}

export function ssoStatus(provider: SsoStatusValue['provider'], extra: Partial<SsoStatusValue> = {}): SsoStatusValue {
  return { provider, configured: true, signedIn: false, expiresAt: null, scope: null, pending: false, tokenStorage: 'file', ...extra };
}

export function recentRequest(requestId: string | null, extra: Partial<RecentRequest> = {}): RecentRequest {
  return { method: 'POST', origin: 'http://127.0.0.1:11434', path: '/api/chat', status: 200, ms: 120, bytes: 2048, requestId, at: Date.now(), error: null, ...extra };
}

export function summary(id: string, title = `Chat ${id}`): ConversationSummary {
  const now = new Date().toISOString();
  return { id, title, model: 'llama3.2', provider: 'ollama', systemPrompt: '', createdAt: now, updatedAt: now, messageCount: 0 };
}

export function message(id: string, role: ChatMessage['role'], content: string, extra: Partial<ChatMessage> = {}): ChatMessage {
  return { id, role, content, createdAt: new Date().toISOString(), ...extra };
}

export function fakeApi(conversations: Conversation[] = []): FakeApi {
  const logLines: LogLine[] = [];
  const requests: RecentRequest[] = [];
  const sso = {
    statuses: [ssoStatus('oidc', { configured: false }), ssoStatus('github', { configured: false })],
    code: { userCode: 'WDJB-MJHT', verificationUri: 'https://example.com/device', verificationUriComplete: 'https://example.com/device?user_code=WDJB-MJHT', expiresIn: 900, interval: 5 } as DeviceCodeValue,
  };
  const chatListeners = new Set<(e: ChatEvent) => void>();
  const snapListeners = new Set<(s: ResourceSnapshot) => void>();
  const calls: { channel: string; params: unknown }[] = [];
  const rec =
    <T,>(channel: string, answer: (p: any) => T) =>
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
      list: rec('chat:list', () => conversations.map(({ messages: _m, ...s }) => s)),
      get: rec('chat:get', (p: { conversationId: string }) => byId(p.conversationId)),
      create: rec('chat:create', () => summary('new1', 'New chat')),
      update: rec('chat:update', (p: { conversationId: string; title?: string }) => ({ ...summary(p.conversationId), ...(p.title ? { title: p.title } : {}) })),
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
      health: rec('resources:health', () => ({ status: 'healthy' as const, checks: { healthy: true, httpClient: true, configCache: true, cleanupTasks: 3 }, timestamp: new Date().toISOString() })),
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
  };
  // Namespaces the window does not use are not faked: any call to them fails loudly.
  const api = new Proxy(known, {
    get: (target, key) =>
      key in target
        ? target[key as keyof typeof target]
        : new Proxy({}, { get: (_t, method) => () => Promise.reject(new Error(`fake VegaApi: ${String(key)}.${String(method)} is not faked`)) }),
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
    process: { rss: 90 * 1024 * 1024, heapUsed: 20 * 1024 * 1024, heapTotal: 34 * 1024 * 1024, eventLoopDelayP50Ms: 1, eventLoopDelayP99Ms: 4 },
    health: 'healthy',
  };
}
