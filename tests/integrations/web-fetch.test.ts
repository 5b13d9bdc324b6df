import { afterEach, describe, expect, it } from 'vitest';
import { generate } from 'selfsigned';
import { createWebFetch, FETCH_BODY_LIMIT, MAX_TEXT_CHARS } from '../../src-main/integrations/web-fetch.js';
import type { Resolver } from '../../src-main/integrations/address-guard.js';
import {
  ctx,
  integrationEngine,
  oversized,
  reply,
  stall,
  startStandIn,
  tableResolver,
  text,
  type IntegrationEngine,
  type StandIn,
} from '../helpers/integration-standins.js';

let engine: IntegrationEngine | undefined;
let site: StandIn | undefined;

afterEach(async () => {
  await engine?.dispose();
  await site?.close();
  engine = site = undefined;
});

const PAGE = `<!doctype html><html><head><title>Vega &amp; friends</title><style>body{color:red}</style><script>var secret = 1;</script></head>
<body><nav>Home | About</nav><h1>Welcome</h1><p>Hello <a href="/x">there</a>.</p><ul><li>one</li><li>two</li></ul></body></html>`;

/** A stand-in site reachable as http://standin.test:<port>, which the test's VEGA_FETCH_ALLOW_HOSTS allows. */
async function setup(
  extraEnv = '',
  resolver?: Resolver,
): Promise<{ fetchTool: ReturnType<typeof createWebFetch>; base: string; resolver: ReturnType<typeof tableResolver> }> {
  site = await startStandIn({ 'GET /': text(200, 'text/html; charset=utf-8', PAGE) });
  engine = await integrationEngine(`VEGA_FETCH_ALLOW_HOSTS=standin.test\n${extraEnv}`);
  const table = tableResolver({ 'standin.test': ['127.0.0.1'], 'public.example': ['127.0.0.1'], 'rebind.example': ['93.184.216.34'] });
  const fetchTool = createWebFetch(engine.rm, { resolver: resolver ?? table });
  return { fetchTool, base: `http://standin.test:${site.port}`, resolver: table };
}

async function run(f: ReturnType<typeof createWebFetch>, url: unknown): Promise<string> {
  return f.tools[0]!.run({ url }, ctx());
}

describe('fetch_text: reading a page', () => {
  it('returns the title and readable text of an HTML page, without scripts or styles', async () => {
    const { fetchTool, base } = await setup();
    const out = await run(fetchTool, `${base}/`);
    expect(out).toContain('Title: Vega & friends');
    expect(out).toContain(`URL: ${base}/`);
    expect(out).toContain('Welcome');
    expect(out).toContain('Hello there.');
    expect(out).toMatch(/\* one\n \* two/);
    expect(out).not.toContain('secret');
    expect(out).not.toContain('color:red');
    expect(out).not.toContain('Home | About');
  });

  it("tells the page nothing of Vega's request id, yet the request table carries it", async () => {
    const { fetchTool, base } = await setup();
    await run(fetchTool, `${base}/`);
    expect(site!.requests[0]?.headers['x-request-id']).toBeUndefined();
    expect(engine!.rm.recentRequests()[0]).toMatchObject({ requestId: 'test-request', status: 200 });
  });

  it('connects to the checked address with the name in the Host header, resolving once', async () => {
    const { fetchTool, base, resolver } = await setup();
    await run(fetchTool, `${base}/`);
    expect(site!.requests[0]?.headers.host).toBe(`standin.test:${site!.port}`);
    // One question to DNS: the connection used the answer that was checked,
    // not a second lookup (standin.test does not exist in real DNS).
    expect(resolver.calls).toEqual(['standin.test']);
    expect(engine!.refused).toEqual([]);
  });

  it('over https, the pinned connection sends the name as SNI and verifies the certificate against it', async () => {
    const pems = await generate([{ name: 'commonName', value: 'standin.test' }], {
      keySize: 2048,
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'standin.test' }] }],
    });
    site = await startStandIn({ 'GET /': text(200, 'text/plain', 'secure hello') }, { key: pems.private, cert: pems.cert });
    engine = await integrationEngine('VEGA_FETCH_ALLOW_HOSTS=standin.test\n', { ca: pems.cert });
    const f = createWebFetch(engine.rm, { resolver: tableResolver({ 'standin.test': ['127.0.0.1'] }) });
    // The certificate names only standin.test (no IP): verification against 127.0.0.1 would fail.
    expect(await run(f, `https://standin.test:${site.port}/`)).toContain('secure hello');
    expect(site.requests[0]?.servername).toBe('standin.test');
  });

  it('reads plain text and pretty-prints JSON', async () => {
    const { fetchTool, base } = await setup();
    site!.route('GET /t', text(200, 'text/plain', 'just text'));
    site!.route('GET /j', text(200, 'application/json', '{"a":[1,2]}'));
    expect(await run(fetchTool, `${base}/t`)).toContain('just text');
    expect(await run(fetchTool, `${base}/j`)).toContain('"a": [\n    1,');
  });

  it('decodes the charset the server names', async () => {
    const { fetchTool, base } = await setup();
    site!.route('GET /latin', text(200, 'text/plain; charset=iso-8859-1', Buffer.from([0x63, 0x61, 0x66, 0xe9])));
    expect(await run(fetchTool, `${base}/latin`)).toContain('café');
  });

  it('cuts very long text for the model and says so', async () => {
    const { fetchTool, base } = await setup();
    site!.route('GET /long', text(200, 'text/plain', 'x'.repeat(MAX_TEXT_CHARS + 500)));
    expect(await run(fetchTool, `${base}/long`)).toMatch(/\[cut: 500 more characters\]$/);
  });

  it('follows up to 5 redirects, re-checking each, relative ones included', async () => {
    const { fetchTool, base } = await setup();
    for (let i = 1; i <= 5; i++)
      site!.route(`GET /r${i}`, text(i % 2 ? 302 : 301, 'text/plain', '', { location: i === 5 ? '/' : `/r${i + 1}` }));
    const out = await run(fetchTool, `${base}/r1`);
    expect(out).toContain(`URL: ${base}/`);
    expect(out).toContain('Welcome');
  });

  it('stops after 5 redirects', async () => {
    const { fetchTool, base } = await setup();
    site!.route('GET /loop', text(302, 'text/plain', '', { location: '/loop' }));
    await expect(run(fetchTool, `${base}/loop`)).rejects.toThrow(/redirected more than 5 times/);
    expect(site!.requests).toHaveLength(6);
  });
});

describe('fetch_text: refusals (no packet leaves the machine)', () => {
  const refusals: [string, RegExp][] = [
    ['http://127.0.0.1:9/', /127\.0\.0\.1 is a loopback address/],
    ['http://[::1]:9/', /::1 is a loopback address/],
    ['http://169.254.169.254/latest/meta-data/', /cloud metadata/],
    ['http://10.0.0.1/', /private network/],
    ['http://100.64.1.1/', /carrier-grade NAT/],
    ['http://[::ffff:10.0.0.1]/', /private network/],
    ['http://0x7f.1/', /loopback/],
    ['http://public.example/', /public\.example resolves to 127\.0\.0\.1, a loopback address/],
    ['file:///etc/passwd', /http:\/\/ and https:\/\/ pages only, not file: addresses/],
    ['ftp://example.org/x', /not ftp: addresses/],
    ['not a url', /is not a URL/],
  ];
  for (const [url, why] of refusals) {
    it(`refuses ${url}`, async () => {
      const { fetchTool } = await setup();
      await expect(run(fetchTool, url)).rejects.toThrow(why);
      expect(engine!.refused).toEqual([]);
      expect(site!.requests).toHaveLength(0);
      expect(engine!.rm.stats().httpRequestsMade).toBe(0);
    });
  }

  it('refuses the stand-in by its address when only its name is allowed', async () => {
    const { fetchTool } = await setup();
    await expect(run(fetchTool, `http://127.0.0.1:${site!.port}/`)).rejects.toThrow(/loopback/);
    expect(site!.requests).toHaveLength(0);
  });

  it('refuses a redirect to a private address', async () => {
    const { fetchTool, base } = await setup();
    site!.route('GET /to-private', text(302, 'text/plain', '', { location: 'http://10.0.0.1/admin' }));
    await expect(run(fetchTool, `${base}/to-private`)).rejects.toThrow(
      /Refused to fetch http:\/\/10\.0\.0\.1: 10\.0\.0\.1 is a private network address/,
    );
    expect(engine!.refused).toEqual([]);
  });

  it('refuses a redirect to a name that resolves to loopback, and to a non-http scheme', async () => {
    const { fetchTool, base } = await setup();
    site!.route('GET /to-name', text(307, 'text/plain', '', { location: `http://public.example:${site!.port}/` }));
    site!.route('GET /to-file', text(302, 'text/plain', '', { location: 'file:///etc/passwd' }));
    await expect(run(fetchTool, `${base}/to-name`)).rejects.toThrow(/loopback/);
    await expect(run(fetchTool, `${base}/to-file`)).rejects.toThrow(/not file:/);
    expect(site!.requests.map((r) => r.path)).toEqual(['/to-name', '/to-file']);
  });

  it('uses the address it checked: a DNS answer that changes later is never asked for', async () => {
    let calls = 0;
    // First answer public (fails at the test connector), any later one loopback: a rebinding attack.
    const rebinding: Resolver = async () =>
      calls++ === 0 ? [{ address: '93.184.216.34', family: 4 }] : [{ address: '127.0.0.1', family: 4 }];
    const { fetchTool } = await setup('', rebinding);
    await expect(run(fetchTool, `http://rebind.example:${site!.port}/`)).rejects.toThrow(/refused to connect to 93\.184\.216\.34/);
    expect(calls).toBe(1);
    expect(engine!.refused).toEqual(['93.184.216.34']);
    expect(site!.requests).toHaveLength(0);
  });

  it('the safety net itself: an allowed non-loopback address reaches the test connector, which refuses it', async () => {
    site = await startStandIn({});
    engine = await integrationEngine('VEGA_FETCH_ALLOW_HOSTS=10.9.9.9\n');
    const f = createWebFetch(engine.rm, { resolver: tableResolver({}) });
    await expect(run(f, 'http://10.9.9.9/')).rejects.toThrow(/test connector: refused to connect to 10\.9\.9\.9/);
    expect(engine.refused).toEqual(['10.9.9.9']);
  });
});

describe('fetch_text: what the server sends', () => {
  it('refuses content that is not text', async () => {
    const { fetchTool, base } = await setup();
    site!.route('GET /img', text(200, 'image/png', Buffer.alloc(100)));
    site!.route('GET /none', text(200, '', 'no type'));
    await expect(run(fetchTool, `${base}/img`)).rejects.toThrow(/"image\/png", not text/);
    await expect(run(fetchTool, `${base}/none`)).rejects.toThrow(/of no stated type/);
  });

  it('reads exactly 2 MiB, and stops past it with a clear error', async () => {
    const { fetchTool, base } = await setup();
    site!.route('GET /max', oversized(FETCH_BODY_LIMIT, 'text/plain'));
    site!.route('GET /big', oversized(FETCH_BODY_LIMIT + 1, 'text/plain'));
    site!.route('GET /declared', oversized(50 * 1024 * 1024, 'text/plain', true));
    expect(await run(fetchTool, `${base}/max`)).toContain('[cut:');
    await expect(run(fetchTool, `${base}/big`)).rejects.toThrow(/sent more than 2 MiB; Vega stopped reading it/);
    await expect(run(fetchTool, `${base}/declared`)).rejects.toThrow(/more than 2 MiB/);
  });

  it('times out on a server that never answers', async () => {
    const { fetchTool, base } = await setup('VEGA_HTTP_TIMEOUT_S=0.3\n');
    site!.route('GET /slow', stall);
    await expect(run(fetchTool, `${base}/slow`)).rejects.toMatchObject({
      code: 'TIMEOUT',
      message: expect.stringMatching(/standin\.test:\d+ did not start answering within 0\.3 s/),
    });
  });

  it('times out on a page that stops in the middle', async () => {
    const { fetchTool, base } = await setup('VEGA_HTTP_TIMEOUT_S=0.3\n');
    site!.route('GET /half', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('the first half…');
    });
    await expect(run(fetchTool, `${base}/half`)).rejects.toMatchObject({
      code: 'TIMEOUT',
      message: expect.stringMatching(/stopped sending its answer for 0\.3 s/),
    });
  });

  it('explains 404, 403 and 429 with Retry-After', async () => {
    const { fetchTool, base } = await setup();
    site!.route('GET /gone', text(404, 'text/html', 'nope'));
    site!.route('GET /private', text(403, 'text/html', 'nope'));
    site!.route('GET /busy', reply(429, {}, { 'retry-after': '30' }));
    await expect(run(fetchTool, `${base}/gone`)).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringMatching(/no page at .*\/gone \(HTTP 404\)/),
    });
    await expect(run(fetchTool, `${base}/private`)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(run(fetchTool, `${base}/busy`)).rejects.toThrow(/try again in 30 s/);
  });

  it('rejects arguments that are not a URL string', async () => {
    const { fetchTool } = await setup();
    await expect(fetchTool.tools[0]!.run({}, ctx())).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(fetchTool.tools[0]!.run({ url: 42 }, ctx())).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('counts calls, failures and the last HTTP status', async () => {
    const { fetchTool, base } = await setup();
    site!.route('GET /gone', text(404, 'text/html', 'nope'));
    await run(fetchTool, `${base}/`);
    await expect(run(fetchTool, `${base}/gone`)).rejects.toThrow();
    const s = fetchTool.stats();
    expect(s).toMatchObject({ id: 'web-fetch', calls: 2, failures: 1, lastStatus: 'error', lastHttpStatus: 404 });
    expect(s.latencyMs.p50).toBeGreaterThan(0);
  });
});
