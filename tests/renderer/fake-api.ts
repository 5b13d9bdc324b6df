import type { VegaApi } from '../../src-shared/api.js';
import type { ChatEvent, ChatMessage, Conversation, ConversationSummary } from '../../src-shared/chat.js';
import type { ResourceSnapshot } from '../../src-shared/resources.js';
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
}

export function summary(id: string, title = `Chat ${id}`): ConversationSummary {
  const now = new Date().toISOString();
  return { id, title, model: 'llama3.2', provider: 'ollama', systemPrompt: '', createdAt: now, updatedAt: now, messageCount: 0 };
}

export function message(id: string, role: ChatMessage['role'], content: string, extra: Partial<ChatMessage> = {}): ChatMessage {
  return { id, role, content, createdAt: new Date().toISOString(), ...extra };
}

export function fakeApi(conversations: Conversation[] = []): FakeApi {
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
      requests: rec('resources:requests', () => []),
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
      logs: rec('app:logs', () => []),
      exportDiagnostics: rec('app:exportDiagnostics', () => ({ path: '/tmp/diag.zip' })),
    } satisfies VegaApi['app'],
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
  };
}
