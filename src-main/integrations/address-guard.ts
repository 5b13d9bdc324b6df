import { promises as dns } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { VegaError } from '../../src-shared/errors.js';

/**
 * The SSRF guard of web fetch: which addresses a URL the model chose may
 * reach. An allow-list of what is public (ipaddr.js's 'unicast'), not a
 * deny-list of what is private, so a range we forgot is refused, not reached.
 */

export interface ResolvedAddress {
  readonly address: string;
  readonly family: number;
}

/** `dns.promises.lookup(host, {all: true})`'s shape; tests inject their own table. */
export type Resolver = (hostname: string) => Promise<readonly ResolvedAddress[]>;

export const systemResolver: Resolver = (hostname) => dns.lookup(hostname, { all: true });

const LABELS: Record<string, string> = {
  unspecified: 'the unspecified address',
  broadcast: 'the broadcast address',
  multicast: 'a multicast address',
  linkLocal: 'a link-local address',
  loopback: 'a loopback address (this computer)',
  carrierGradeNat: 'a carrier-grade NAT address (100.64.0.0/10)',
  private: 'a private network address',
  uniqueLocal: 'a private network address (fc00::/7)',
  reserved: 'a reserved address',
  metadata: 'the cloud metadata address',
  ipv4Compatible: 'an IPv4-compatible IPv6 address',
  invalid: 'not an IP address',
};

/**
 * Why `address` must not be fetched, or undefined when it is a public
 * address. IPv6 forms that carry an IPv4 address (mapped, NAT64, 6to4) are
 * judged by the IPv4 address inside.
 */
export function blockedReason(address: string): string | undefined {
  let ip: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    ip = ipaddr.parse(address);
  } catch {
    return LABELS.invalid;
  }
  if (ip.kind() === 'ipv4') return ipv4Reason(ip as ipaddr.IPv4);
  const v6 = ip as ipaddr.IPv6;
  const range = v6.range();
  const p = v6.parts;
  const embedded = (hi: number, lo: number): ipaddr.IPv4 => new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
  // ::a.b.c.d (deprecated IPv4-compatible), :: and ::1 all start with 96 zero bits.
  if (p.slice(0, 6).every((x) => x === 0)) return range === 'loopback' || range === 'unspecified' ? label(range) : LABELS.ipv4Compatible;
  if (range === 'ipv4Mapped' || range === 'rfc6145') return ipv4Reason(embedded(p[6] ?? 0, p[7] ?? 0));
  // 64:ff9b::/96 is NAT64 of a public IPv4; 64:ff9b:1::/48 is for local use.
  if (range === 'rfc6052') return p[2] === 0 ? ipv4Reason(embedded(p[6] ?? 0, p[7] ?? 0)) : label('reserved');
  if (range === '6to4') return ipv4Reason(embedded(p[1] ?? 0, p[2] ?? 0));
  return range === 'unicast' ? undefined : label(range);
}

function ipv4Reason(ip: ipaddr.IPv4): string | undefined {
  if (ip.toString() === '169.254.169.254') return LABELS.metadata;
  const range = ip.range();
  return range === 'unicast' ? undefined : label(range);
}

function label(range: string): string {
  return LABELS[range] ?? `a special-purpose address (${range})`;
}

/** The hostname as a bare name or address: URL keeps IPv6 in brackets. */
export function bareHost(hostname: string): string {
  return hostname
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase();
}

export function isAllowedHost(hostname: string, allowHosts: readonly string[]): boolean {
  const h = bareHost(hostname);
  return allowHosts.some((a) => bareHost(a) === h);
}

/**
 * Resolve a URL's host and check every address it resolves to (one bad
 * address is enough to refuse: the connection could land on any of them).
 * Returns the checked addresses, IPv4 first; the caller connects to these
 * and nothing else, so a second, different DNS answer cannot be used.
 */
export async function checkedAddresses(url: URL, resolver: Resolver, allowHosts: readonly string[]): Promise<string[]> {
  const host = bareHost(url.hostname);
  const allowed = isAllowedHost(host, allowHosts);
  let addresses: string[];
  if (isIP(host)) {
    addresses = [host];
  } else {
    let found: readonly ResolvedAddress[];
    try {
      found = await resolver(host);
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'lookup failed';
      throw new VegaError('PROVIDER_UNREACHABLE', `Cannot find the site ${host} (${code}).`, { cause: err });
    }
    addresses = [...found].sort((a, b) => a.family - b.family).map((a) => a.address);
    if (addresses.length === 0) throw new VegaError('PROVIDER_UNREACHABLE', `Cannot find the site ${host} (no addresses).`);
  }
  if (!allowed) {
    for (const a of addresses) {
      const why = blockedReason(a);
      if (why === undefined) continue;
      const resolved = a === host ? `${host} is` : `${host} resolves to ${a},`;
      throw new VegaError(
        'BAD_REQUEST',
        `Refused to fetch ${url.origin}: ${resolved} ${why}. Web fetch only reaches public addresses; add the host to VEGA_FETCH_ALLOW_HOSTS to allow it.`,
      );
    }
  }
  return addresses;
}
