import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blockedReason, checkedAddresses, isAllowedHost } from '../../src-main/integrations/address-guard.js';
import { tableResolver } from '../helpers/integration-standins.js';

// Unit level: the guard's decision on an address, without any connection.
describe('address guard: the decision on a resolved address', () => {
  const blocked: [string, RegExp][] = [
    ['127.0.0.1', /loopback/],
    ['127.8.9.10', /loopback/],
    ['::1', /loopback/],
    ['169.254.169.254', /metadata/],
    ['169.254.1.1', /link-local/],
    ['fe80::1', /link-local/],
    ['10.0.0.1', /private/],
    ['172.16.5.4', /private/],
    ['192.168.1.1', /private/],
    ['fc00::1', /private/],
    ['fd00:ec2::254', /private/],
    ['100.64.0.1', /carrier-grade/],
    ['224.0.0.1', /multicast/],
    ['ff02::1', /multicast/],
    ['0.0.0.0', /unspecified/],
    ['::', /unspecified/],
    ['255.255.255.255', /broadcast/],
    ['::ffff:127.0.0.1', /loopback/],
    ['::ffff:10.0.0.1', /private/],
    ['::ffff:169.254.169.254', /metadata/],
    ['64:ff9b::a00:1', /private/],
    ['2002:7f00:1::1', /loopback/],
    ['::7f00:1', /IPv4-compatible/],
    ['2001:db8::1', /reserved/],
    ['not-an-ip', /not an IP/],
  ];
  for (const [address, why] of blocked) {
    it(`refuses ${address}`, () => {
      expect(blockedReason(address)).toMatch(why);
    });
  }

  for (const address of ['8.8.8.8', '93.184.216.34', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808']) {
    it(`lets public ${address} through`, () => {
      expect(blockedReason(address)).toBeUndefined();
    });
  }

  it('refuses every address in the private, loopback, link-local and CGNAT ranges, plain or IPv4-mapped', () => {
    const octet = fc.integer({ min: 0, max: 255 });
    const ranges = fc.oneof(
      fc.tuple(octet, octet, octet).map(([b, c, d]) => `10.${b}.${c}.${d}`),
      fc.tuple(octet, octet, octet).map(([b, c, d]) => `127.${b}.${c}.${d}`),
      fc.tuple(octet, octet).map(([c, d]) => `169.254.${c}.${d}`),
      fc.tuple(fc.integer({ min: 64, max: 127 }), octet, octet).map(([b, c, d]) => `100.${b}.${c}.${d}`),
      fc.tuple(fc.integer({ min: 16, max: 31 }), octet, octet).map(([b, c, d]) => `172.${b}.${c}.${d}`),
      fc.tuple(octet, octet).map(([c, d]) => `192.168.${c}.${d}`),
    );
    fc.assert(
      fc.property(ranges, fc.boolean(), (v4, mapped) => {
        expect(blockedReason(mapped ? `::ffff:${v4}` : v4)).toBeDefined();
      }),
      { numRuns: 500 },
    );
  });
});

describe('address guard: a URL', () => {
  it('checks every address a name resolves to: one private address is enough to refuse', async () => {
    const resolver = tableResolver({ 'mixed.example': ['93.184.216.34', '10.1.2.3'] });
    await expect(checkedAddresses(new URL('http://mixed.example/'), resolver, [])).rejects.toThrow(
      /mixed\.example resolves to 10\.1\.2\.3, a private network address/,
    );
  });

  it('a public-looking name that resolves to loopback is refused', async () => {
    const resolver = tableResolver({ 'totally-public.example': ['127.0.0.1'] });
    await expect(checkedAddresses(new URL('https://totally-public.example/'), resolver, [])).rejects.toThrow(/loopback/);
  });

  it('does not ask DNS about an address literal, and names the address', async () => {
    const resolver = tableResolver({});
    await expect(checkedAddresses(new URL('http://[::1]:8080/'), resolver, [])).rejects.toThrow(/::1 is a loopback address/);
    expect(resolver.calls).toEqual([]);
  });

  it('returns the checked addresses, IPv4 first, for the connection to use', async () => {
    const resolver = tableResolver({ 'public.example': ['2606:4700::1', '93.184.216.34'] });
    expect(await checkedAddresses(new URL('http://public.example/'), resolver, [])).toEqual(['93.184.216.34', '2606:4700::1']);
  });

  it('an allowed host skips the check; a similar one does not', async () => {
    const resolver = tableResolver({ 'nas.lan': ['192.168.1.5'], 'nas.lan.evil.example': ['192.168.1.5'] });
    expect(await checkedAddresses(new URL('http://NAS.lan/'), resolver, ['nas.lan'])).toEqual(['192.168.1.5']);
    await expect(checkedAddresses(new URL('http://nas.lan.evil.example/'), resolver, ['nas.lan'])).rejects.toThrow(/private/);
    expect(isAllowedHost('[::1]', ['::1'])).toBe(true);
  });

  it('a name that does not resolve is a clear error', async () => {
    await expect(checkedAddresses(new URL('http://nowhere.example/'), tableResolver({}), [])).rejects.toThrow(
      /Cannot find the site nowhere\.example \(ENOTFOUND\)/,
    );
  });
});
