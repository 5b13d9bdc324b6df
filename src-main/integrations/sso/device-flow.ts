import { VegaError } from '../../../src-shared/errors.js';
import type { ResourceManager } from '../../engine/resource-manager.js';
import { header, type Reply } from '../../engine/outbound/index.js';
import { send, type ServiceInfo } from '../http.js';
import type { CallStats } from '../stats.js';

/**
 * The OAuth 2.0 device authorization grant (RFC 8628), shared by OIDC
 * providers and GitHub: ask for a code, show it, poll the token endpoint at
 * the server's pace until the person approves, declines or the code expires.
 */

export interface DeviceCode {
  readonly userCode: string;
  readonly verificationUri: string;
  readonly verificationUriComplete?: string;
  /** Seconds the code stays valid. */
  readonly expiresIn: number;
  /** Seconds between polls the server asks for. */
  readonly interval: number;
}

/** What the device authorization endpoint returned; deviceCode never leaves main. */
export interface DeviceGrant extends DeviceCode {
  readonly deviceCode: string;
}

export interface TokenSet {
  readonly accessToken: string;
  readonly tokenType: string;
  readonly refreshToken?: string;
  /** Epoch ms; absent when the token does not expire (GitHub OAuth apps). */
  readonly expiresAt?: number;
  readonly scope?: string;
}

export interface FlowEndpoints {
  readonly service: ServiceInfo;
  readonly deviceUrl: URL;
  readonly tokenUrl: URL;
  readonly clientId: string;
  readonly scope: string;
}

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

const GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
/** RFC 8628 §3.5: on slow_down the interval grows by 5 seconds. */
const SLOW_DOWN_S = 5;
/** A bound on polls whatever the server says (15 min at 1 s). */
const MAX_POLLS = 900;

interface OAuthReply {
  device_code?: unknown;
  user_code?: unknown;
  verification_uri?: unknown;
  verification_url?: unknown;
  verification_uri_complete?: unknown;
  expires_in?: unknown;
  interval?: unknown;
  access_token?: unknown;
  token_type?: unknown;
  refresh_token?: unknown;
  scope?: unknown;
  error?: unknown;
  error_description?: unknown;
}

async function postForm(
  rm: ResourceManager,
  stats: CallStats,
  service: ServiceInfo,
  url: URL,
  form: Record<string, string>,
  signal: AbortSignal,
): Promise<OAuthReply> {
  const reply = await send(rm, service, {
    method: 'POST',
    url,
    signal,
    // GitHub answers form-encoded unless asked for JSON.
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(form).toString(),
  });
  stats.noteHttpStatus(reply.status);
  return parseOAuth(reply, service);
}

/** OAuth errors come as 400 with a JSON body (GitHub: 200); both are parsed, the caller reads `error`. */
function parseOAuth(reply: Reply, service: ServiceInfo): OAuthReply {
  const type = header(reply.headers, 'content-type') ?? '';
  if (type.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(reply.text()));
  try {
    const v = JSON.parse(reply.text()) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v;
  } catch {
    // fall through
  }
  if (reply.status >= 500) throw new VegaError('PROVIDER_ERROR', `${service.name} had an error of its own (HTTP ${reply.status}).`);
  throw new VegaError('PROVIDER_ERROR', `${service.name} sent an answer that is not valid JSON (HTTP ${reply.status}).`);
}

function oauthError(service: ServiceInfo, r: OAuthReply, status?: number): VegaError {
  const code = typeof r.error === 'string' ? r.error : `HTTP ${status ?? '?'}`;
  const said = typeof r.error_description === 'string' ? `: ${r.error_description.slice(0, 200)}` : '';
  if (code === 'expired_token')
    return new VegaError('TIMEOUT', `The sign-in code expired before it was approved; start the sign-in again.`);
  if (code === 'access_denied') return new VegaError('UNAUTHORIZED', `The sign-in was declined at ${service.name}.`);
  if (code === 'invalid_client' || code === 'unauthorized_client' || code === 'incorrect_client_credentials') {
    return new VegaError('CONFIG_INVALID', `${service.name} does not accept the client id for device sign-in (${code})${said}.`);
  }
  if (code === 'device_flow_disabled')
    return new VegaError(
      'CONFIG_INVALID',
      `Device sign-in is not enabled for this app at ${service.name}: turn on "Enable Device Flow" in the app's settings.`,
    );
  if (code === 'invalid_grant')
    return new VegaError('UNAUTHORIZED', `${service.name} no longer accepts this sign-in (invalid_grant); sign in again.`);
  return new VegaError('PROVIDER_ERROR', `${service.name} refused the sign-in (${code})${said}.`);
}

export async function requestDeviceCode(
  rm: ResourceManager,
  stats: CallStats,
  ep: FlowEndpoints,
  signal: AbortSignal,
): Promise<DeviceGrant> {
  const r = await postForm(
    rm,
    stats,
    ep.service,
    ep.deviceUrl,
    { client_id: ep.clientId, ...(ep.scope ? { scope: ep.scope } : {}) },
    signal,
  );
  if (r.error !== undefined) throw oauthError(ep.service, r);
  // Some servers (Google's older endpoint) say verification_url.
  const uri = r.verification_uri ?? r.verification_url;
  if (typeof r.device_code !== 'string' || typeof r.user_code !== 'string' || typeof uri !== 'string') {
    throw new VegaError('PROVIDER_ERROR', `${ep.service.name} answered the sign-in request without a device code.`);
  }
  return {
    deviceCode: r.device_code,
    userCode: r.user_code,
    verificationUri: uri,
    ...(typeof r.verification_uri_complete === 'string' ? { verificationUriComplete: r.verification_uri_complete } : {}),
    expiresIn: positive(r.expires_in, 900),
    // RFC 8628 §3.2: 5 s when the server does not say.
    interval: nonNegative(r.interval, 5),
  };
}

/**
 * Poll until the person approves (a token), declines, or the code expires.
 * `sleep` is the pause between polls (tests pass one that records the waits).
 */
export async function pollForToken(
  rm: ResourceManager,
  stats: CallStats,
  ep: FlowEndpoints,
  grant: DeviceGrant,
  opts: { sleep: Sleep; signal: AbortSignal; now?: () => number },
): Promise<TokenSet> {
  const now = opts.now ?? Date.now;
  const expiresAt = now() + grant.expiresIn * 1000;
  let intervalS = grant.interval;
  for (let poll = 0; poll < MAX_POLLS; poll++) {
    await opts.sleep(intervalS * 1000, opts.signal);
    if (now() >= expiresAt) throw oauthError(ep.service, { error: 'expired_token' });
    const form = { grant_type: GRANT, device_code: grant.deviceCode, client_id: ep.clientId };
    const r = await stats.track(() => postForm(rm, stats, ep.service, ep.tokenUrl, form, perPoll(rm, opts.signal)));
    if (typeof r.access_token === 'string') return tokenSet(r, now());
    if (r.error === 'authorization_pending') continue;
    if (r.error === 'slow_down') {
      // GitHub also sends the new interval; take whichever is longer.
      intervalS = Math.max(intervalS + SLOW_DOWN_S, nonNegative(r.interval, 0));
      continue;
    }
    throw oauthError(ep.service, r);
  }
  throw oauthError(ep.service, { error: 'expired_token' });
}

export async function refreshTokens(
  rm: ResourceManager,
  stats: CallStats,
  ep: Pick<FlowEndpoints, 'service' | 'tokenUrl' | 'clientId'>,
  refreshToken: string,
  signal: AbortSignal,
): Promise<TokenSet> {
  const r = await stats.track(() =>
    postForm(
      rm,
      stats,
      ep.service,
      ep.tokenUrl,
      { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: ep.clientId },
      signal,
    ),
  );
  if (typeof r.access_token !== 'string') throw oauthError(ep.service, r);
  const set = tokenSet(r, Date.now());
  // A server may keep the refresh token and not send it again.
  return set.refreshToken ? set : { ...set, refreshToken };
}

function tokenSet(r: OAuthReply, now: number): TokenSet {
  const expiresIn = positive(r.expires_in, 0);
  return {
    accessToken: r.access_token as string,
    tokenType: typeof r.token_type === 'string' ? r.token_type : 'bearer',
    ...(typeof r.refresh_token === 'string' && r.refresh_token ? { refreshToken: r.refresh_token } : {}),
    ...(expiresIn ? { expiresAt: now + expiresIn * 1000 } : {}),
    ...(typeof r.scope === 'string' ? { scope: r.scope } : {}),
  };
}

/** Each poll gets the engine's deadline; the whole wait is bounded by the code's expiry instead. */
function perPoll(rm: ResourceManager, signal: AbortSignal): AbortSignal {
  return AbortSignal.any([signal, AbortSignal.timeout(rm.httpSettings.timeoutMs * 2 + 1000)]);
}

function positive(v: unknown, fallback: number): number {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : fallback;
}

function nonNegative(v: unknown, fallback: number): number {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : fallback;
}
