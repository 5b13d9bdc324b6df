import { VegaError } from '../../../src-shared/errors.js';
import type { ResourceManager } from '../../engine/resource-manager.js';
import { joinUrl, parseJson } from '../../engine/outbound/index.js';
import { send, statusError, type ServiceInfo } from '../http.js';
import type { CallStats } from '../stats.js';

export interface OidcEndpoints {
  readonly issuer: string;
  readonly deviceAuthorizationEndpoint: URL;
  readonly tokenEndpoint: URL;
}

export const OIDC_SERVICE: ServiceInfo = { name: 'The sign-in provider', urlKey: 'OIDC_ISSUER' };

/**
 * OpenID Connect discovery: `<issuer>/.well-known/openid-configuration`
 * names the device and token endpoints. Endpoints must be https, unless the
 * issuer itself is plain http (a provider on this machine or in tests).
 */
export async function discover(rm: ResourceManager, stats: CallStats, issuer: URL, signal: AbortSignal): Promise<OidcEndpoints> {
  const reply = await send(rm, OIDC_SERVICE, {
    url: joinUrl(issuer, '.well-known/openid-configuration'),
    signal,
    headers: { accept: 'application/json' },
  });
  stats.noteHttpStatus(reply.status);
  if (reply.status !== 200) throw statusError(OIDC_SERVICE, reply, '', `Check OIDC_ISSUER (${issuer.href}).`);
  const doc = parseJson<{ issuer?: unknown; device_authorization_endpoint?: unknown; token_endpoint?: unknown }>(reply, OIDC_SERVICE);
  if (typeof doc.device_authorization_endpoint !== 'string') {
    throw new VegaError(
      'CONFIG_INVALID',
      `The sign-in provider at ${issuer.href} does not offer device sign-in (its discovery document has no device_authorization_endpoint).`,
    );
  }
  if (typeof doc.token_endpoint !== 'string')
    throw new VegaError('PROVIDER_ERROR', `The sign-in provider at ${issuer.href} names no token_endpoint.`);
  return {
    issuer: typeof doc.issuer === 'string' ? doc.issuer : issuer.href,
    deviceAuthorizationEndpoint: endpoint(doc.device_authorization_endpoint, issuer),
    tokenEndpoint: endpoint(doc.token_endpoint, issuer),
  };
}

function endpoint(raw: string, issuer: URL): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new VegaError('PROVIDER_ERROR', `The sign-in provider named an endpoint that is not a URL (${raw.slice(0, 100)}).`);
  }
  const ok = url.protocol === 'https:' || (url.protocol === 'http:' && issuer.protocol === 'http:');
  if (!ok)
    throw new VegaError(
      'PROVIDER_ERROR',
      `The sign-in provider named an endpoint that is not https (${url.origin}); Vega will not send sign-in data there.`,
    );
  return url;
}
