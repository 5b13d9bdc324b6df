import type { TokenStorage } from '../../../src-shared/contract.js';
import { VegaError } from '../../../src-shared/errors.js';
import type { ResourceManager } from '../../engine/resource-manager.js';
import { joinUrl } from '../../engine/outbound/index.js';
import { deadline, sleep as realSleep, type ServiceInfo } from '../http.js';
import { CallStats } from '../stats.js';
import {
  pollForToken,
  refreshTokens,
  requestDeviceCode,
  type DeviceCode,
  type DeviceGrant,
  type FlowEndpoints,
  type Sleep,
  type TokenSet,
} from './device-flow.js';
import { discover, OIDC_SERVICE, type OidcEndpoints } from './oidc.js';
import type { TokenStore } from './token-store.js';

export type { DeviceCode, TokenSet } from './device-flow.js';
export { FileTokenStore, type TokenStore } from './token-store.js';

export type SsoProvider = 'oidc' | 'github';
export const SSO_PROVIDERS: readonly SsoProvider[] = ['oidc', 'github'];

/** What the UI may know about a sign-in: never the token. */
export interface SsoStatus {
  readonly provider: SsoProvider;
  readonly configured: boolean;
  readonly signedIn: boolean;
  /** ISO 8601, null when the token does not expire or there is none. */
  readonly expiresAt: string | null;
  readonly scope: string | null;
  /** A code was handed out and is waiting for approval. */
  readonly pending: boolean;
  /** Where the store keeps tokens (the Settings view says so). */
  readonly tokenStorage: TokenStorage;
}

export interface SsoOptions {
  readonly tokenStore: TokenStore;
  /** github.com (tests, GitHub Enterprise): where /login/device/code lives. */
  readonly githubUrl?: string;
  /** Pause between polls; tests record the waits instead of sleeping. */
  readonly sleep?: Sleep;
  readonly oidcScope?: string;
  /** Private repositories need `repo`; the GitHub tools only read. */
  readonly githubScope?: string;
}

interface Pending {
  readonly grant: DeviceGrant;
  readonly endpoints: FlowEndpoints;
  readonly controller: AbortController;
  waiting?: Promise<SsoStatus>;
}

const GITHUB_SERVICE: ServiceInfo = { name: 'GitHub' };
/** Refresh this long before expiry, so a token never dies in the middle of a call. */
const REFRESH_MARGIN_MS = 60_000;
const DISCOVERY_TTL_MS = 3_600_000;
const storeKey = (p: SsoProvider): string => `sso.${p}`;

/**
 * Sign-in by the device authorization grant, for an OIDC provider and for
 * GitHub. Tokens stay in main, in the TokenStore; they are taught to the
 * log scrubber as soon as they are seen and never appear in a status, a
 * stat or an error.
 */
export class SsoManager {
  readonly stats = new CallStats('sso');
  readonly #rm: ResourceManager;
  readonly #store: TokenStore;
  readonly #opts: SsoOptions;
  readonly #sleep: Sleep;
  readonly #pending = new Map<SsoProvider, Pending>();
  readonly #refreshing = new Map<SsoProvider, Promise<string | undefined>>();
  readonly #closed = new AbortController();
  #discovery: { issuer: string; at: number; endpoints: OidcEndpoints } | undefined;

  constructor(rm: ResourceManager, opts: SsoOptions) {
    this.#rm = rm;
    this.#store = opts.tokenStore;
    this.#opts = opts;
    this.#sleep = opts.sleep ?? realSleep;
  }

  async configured(provider: SsoProvider): Promise<boolean> {
    const c = await this.#rm.config.get();
    return provider === 'oidc' ? c.has('OIDC_ISSUER') && c.has('OIDC_CLIENT_ID') : c.has('GITHUB_CLIENT_ID');
  }

  /** Ask for a code to show the person; a flow already pending for the provider is dropped. */
  async start(provider: SsoProvider, signal?: AbortSignal): Promise<DeviceCode> {
    this.cancel(provider);
    const sig = deadline(this.#rm, this.#signal(signal));
    const endpoints = await this.#endpoints(provider, sig);
    const grant = await this.stats.track(() => requestDeviceCode(this.#rm, this.stats, endpoints, sig));
    this.#rm.addSecret(grant.deviceCode);
    this.#pending.set(provider, { grant, endpoints, controller: new AbortController() });
    const { deviceCode: _secret, ...shown } = grant;
    return shown;
  }

  /** Poll until the person approves (then the token is stored), declines, or the code expires. */
  wait(provider: SsoProvider, signal?: AbortSignal): Promise<SsoStatus> {
    const p = this.#pending.get(provider);
    if (!p) return Promise.reject(new VegaError('BAD_REQUEST', `No ${label(provider)} sign-in is waiting; start one first.`));
    p.waiting ??= (async () => {
      const done = (): void => {
        if (this.#pending.get(provider) === p) this.#pending.delete(provider);
      };
      try {
        const tokens = await pollForToken(this.#rm, this.stats, p.endpoints, p.grant, {
          sleep: this.#sleep,
          signal: this.#signal(signal, p.controller.signal),
        });
        await this.#save(provider, tokens);
        done();
        return this.#statusOf(provider, tokens, true);
      } finally {
        done();
      }
    })();
    return p.waiting;
  }

  cancel(provider: SsoProvider): void {
    const p = this.#pending.get(provider);
    this.#pending.delete(provider);
    p?.controller.abort();
  }

  async signOut(provider: SsoProvider): Promise<void> {
    this.cancel(provider);
    await this.#store.delete(storeKey(provider));
  }

  async status(): Promise<SsoStatus[]> {
    return Promise.all(SSO_PROVIDERS.map(async (p) => this.#statusOf(p, await this.#load(p), await this.configured(p))));
  }

  /**
   * The provider's access token for main-process use (e.g. the GitHub
   * integration), refreshed first when it is about to expire and a refresh
   * token exists. Undefined when not signed in or the sign-in ran out.
   */
  async accessToken(provider: SsoProvider, signal?: AbortSignal): Promise<string | undefined> {
    const set = await this.#load(provider);
    if (!set) return undefined;
    if (set.expiresAt === undefined || set.expiresAt - Date.now() > REFRESH_MARGIN_MS) return set.accessToken;
    const expired = set.expiresAt <= Date.now();
    if (!set.refreshToken) return expired ? undefined : set.accessToken;
    let refreshing = this.#refreshing.get(provider);
    if (!refreshing) {
      refreshing = this.#refresh(provider, set, expired, signal).finally(() => this.#refreshing.delete(provider));
      this.#refreshing.set(provider, refreshing);
    }
    return refreshing;
  }

  /** Stop every pending flow (shutdown). */
  close(): void {
    this.#closed.abort();
    for (const p of [...this.#pending.keys()]) this.cancel(p);
  }

  /** The OIDC health probe: discovery, fresh each time. */
  async probe(signal: AbortSignal): Promise<void> {
    const issuer = (await this.#rm.config.get()).url('OIDC_ISSUER');
    if (!issuer) throw notConfigured('oidc');
    await discover(this.#rm, this.stats, issuer, signal);
  }

  async #refresh(provider: SsoProvider, set: TokenSet, expired: boolean, signal?: AbortSignal): Promise<string | undefined> {
    try {
      const sig = deadline(this.#rm, this.#signal(signal));
      const ep = await this.#endpoints(provider, sig);
      const fresh = await refreshTokens(this.#rm, this.stats, ep, set.refreshToken as string, sig);
      await this.#save(provider, fresh);
      return fresh.accessToken;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.#rm.logger.warn(`Sign-in refresh for ${label(provider)} failed: ${message}`);
      // A refused refresh token means the sign-in is over; anything else may pass.
      if (err instanceof VegaError && err.code === 'UNAUTHORIZED') {
        await this.#store.delete(storeKey(provider));
        return undefined;
      }
      if (!expired) return set.accessToken;
      throw err;
    }
  }

  async #endpoints(provider: SsoProvider, signal: AbortSignal): Promise<FlowEndpoints> {
    const config = await this.#rm.config.get();
    if (provider === 'github') {
      const clientId = config.string('GITHUB_CLIENT_ID');
      if (!clientId) throw notConfigured('github');
      const base = new URL(this.#opts.githubUrl ?? 'https://github.com/');
      return {
        service: GITHUB_SERVICE,
        deviceUrl: joinUrl(base, 'login/device/code'),
        tokenUrl: joinUrl(base, 'login/oauth/access_token'),
        clientId,
        scope: this.#opts.githubScope ?? 'repo',
      };
    }
    const issuer = config.url('OIDC_ISSUER');
    const clientId = config.string('OIDC_CLIENT_ID');
    if (!issuer || !clientId) throw notConfigured('oidc');
    let d = this.#discovery;
    if (!d || d.issuer !== issuer.href || Date.now() - d.at > DISCOVERY_TTL_MS) {
      const endpoints = await this.stats.track(() => discover(this.#rm, this.stats, issuer, signal));
      d = this.#discovery = { issuer: issuer.href, at: Date.now(), endpoints };
    }
    return {
      service: OIDC_SERVICE,
      deviceUrl: d.endpoints.deviceAuthorizationEndpoint,
      tokenUrl: d.endpoints.tokenEndpoint,
      clientId,
      scope: this.#opts.oidcScope ?? 'openid profile offline_access',
    };
  }

  async #load(provider: SsoProvider): Promise<TokenSet | undefined> {
    const raw = await this.#store.get(storeKey(provider));
    if (!raw) return undefined;
    try {
      const set = JSON.parse(raw) as TokenSet;
      if (typeof set.accessToken !== 'string') return undefined;
      this.#learn(set);
      return set;
    } catch {
      return undefined;
    }
  }

  async #save(provider: SsoProvider, set: TokenSet): Promise<void> {
    this.#learn(set);
    await this.#store.set(storeKey(provider), JSON.stringify(set));
  }

  #learn(set: TokenSet): void {
    this.#rm.addSecret(set.accessToken);
    if (set.refreshToken) this.#rm.addSecret(set.refreshToken);
  }

  #statusOf(provider: SsoProvider, set: TokenSet | undefined, configured: boolean): SsoStatus {
    const live = set !== undefined && (set.expiresAt === undefined || set.expiresAt > Date.now() || set.refreshToken !== undefined);
    return {
      provider,
      configured,
      signedIn: live,
      expiresAt: live && set.expiresAt !== undefined ? new Date(set.expiresAt).toISOString() : null,
      scope: live ? (set.scope ?? null) : null,
      pending: this.#pending.has(provider),
      tokenStorage: this.#store.kind,
    };
  }

  #signal(...signals: (AbortSignal | undefined)[]): AbortSignal {
    return AbortSignal.any([this.#closed.signal, ...signals.filter((s): s is AbortSignal => s !== undefined)]);
  }
}

function label(p: SsoProvider): string {
  return p === 'github' ? 'GitHub' : 'single sign-on';
}

function notConfigured(p: SsoProvider): VegaError {
  return p === 'github'
    ? new VegaError(
        'CONFIG_INVALID',
        'Sign in with GitHub is not set up: set GITHUB_CLIENT_ID to the client id of a GitHub OAuth app with device flow enabled.',
      )
    : new VegaError('CONFIG_INVALID', 'Single sign-on is not set up: set OIDC_ISSUER and OIDC_CLIENT_ID in Settings.');
}
