import path from 'node:path';
import type { ProviderHealth } from '../../src-shared/chat.js';
import { probe } from '../engine/outbound/index.js';
import type { ResourceManager } from '../engine/resource-manager.js';
import type { Resolver } from './address-guard.js';
import { createGitHub } from './github.js';
import { createHomeAssistant } from './home-assistant.js';
import { createSlack } from './slack.js';
import { FileTokenStore, SsoManager, type TokenStore } from './sso/index.js';
import type { Sleep } from './sso/device-flow.js';
import type { Integration, IntegrationStats, IntegrationTool } from './types.js';
import { createWebFetch } from './web-fetch.js';
import { createWebSearch } from './web-search.js';

export type { Integration, IntegrationId, IntegrationStats, IntegrationTool, RateLimitInfo, ToolContext } from './types.js';
export type { Resolver } from './address-guard.js';
export { FileTokenStore, SsoManager, type DeviceCode, type SsoProvider, type SsoStatus, type TokenStore } from './sso/index.js';

export interface IntegrationsOptions {
  /** Web fetch's name resolution (tests). */
  readonly resolver?: Resolver;
  /** Where sign-in tokens live; default a 0600 file in the data dir. Electron passes its safeStorage store. */
  readonly tokenStore?: TokenStore;
  /** Base URLs, for tests and GitHub Enterprise. */
  readonly githubApiUrl?: string;
  readonly githubUrl?: string;
  readonly slackApiUrl?: string;
  /** Waits (device-flow polls, Slack's Retry-After); tests record them instead. */
  readonly sleep?: Sleep;
  /** Bound of one health check (2 s). */
  readonly healthTimeoutMs?: number;
}

export interface Integrations {
  /** Every tool; a tool whose integration is not set up explains that when run. */
  readonly tools: readonly IntegrationTool[];
  /** The tools whose integration is set up now: what to offer the model. */
  configuredTools(): Promise<IntegrationTool[]>;
  /** One entry per integration, each bounded by 2 s: this never hangs. */
  health(): Promise<ProviderHealth[]>;
  stats(): IntegrationStats[];
  readonly sso: SsoManager;
}

/**
 * Every integration on the engine's one pooled client. Nothing here builds
 * a dispatcher; tokens are sent per request in headers.
 */
export function createIntegrations(rm: ResourceManager, opts: IntegrationsOptions = {}): Integrations {
  const sso = new SsoManager(rm, {
    tokenStore: opts.tokenStore ?? new FileTokenStore(path.join(rm.dataDir, 'tokens.json')),
    githubUrl: opts.githubUrl,
    sleep: opts.sleep,
  });
  const ssoIntegration: Integration = {
    id: 'sso',
    tools: [],
    configured: () => sso.configured('oidc'),
    probe: (signal) => sso.probe(signal),
    stats: () => sso.stats.snapshot(),
  };
  const all: Integration[] = [
    createWebFetch(rm, { resolver: opts.resolver }),
    createWebSearch(rm),
    createHomeAssistant(rm),
    createGitHub(rm, { apiUrl: opts.githubApiUrl, signedInToken: (signal) => sso.accessToken('github', signal) }),
    createSlack(rm, { apiUrl: opts.slackApiUrl, sleep: opts.sleep }),
    ssoIntegration,
  ];
  const tools = all.flatMap((i) => i.tools);
  const names = new Set(tools.map((t) => t.name));
  if (names.size !== tools.length) throw new Error('Two integration tools share a name.');
  // Pending sign-ins poll on the pool: stop them before the pool closes.
  rm.registerCleanup('integrations', () => sso.close(), { phase: 'llm' });
  const bound = opts.healthTimeoutMs ?? 2_000;

  return {
    tools,
    async configuredTools() {
      const ready = await Promise.all(all.map((i) => i.configured().catch(() => false)));
      return all.filter((_, k) => ready[k]).flatMap((i) => i.tools);
    },
    health: () => Promise.all(all.map((i) => checkHealth(i, bound))),
    stats: () => all.map((i) => i.stats()),
    sso,
  };
}

/** One integration's health: settings present, then its probe within `bound` ms. */
async function checkHealth(i: Integration, bound: number): Promise<ProviderHealth> {
  const base = { id: i.id, kind: 'integration' as const, checkedAt: new Date().toISOString() };
  let configured: boolean;
  try {
    configured = await i.configured();
  } catch (err) {
    return { ...base, configured: false, reachable: false, latencyMs: null, lastError: messageOf(err) };
  }
  if (!configured) return { ...base, configured, reachable: false, latencyMs: null, lastError: null };
  if (!i.probe || (i.shouldProbe && !(await i.shouldProbe().catch(() => false))))
    return { ...base, configured, reachable: true, latencyMs: null, lastError: null };
  return { ...base, configured, ...(await probe(bound, async (signal) => i.probe?.(signal))) };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
