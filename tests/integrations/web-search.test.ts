import { afterEach, describe, expect, it } from 'vitest';
import { createWebSearch } from '../../src-main/integrations/web-search.js';
import {
  ctx,
  integrationEngine,
  malformed,
  oversized,
  reply,
  stall,
  startSearxng,
  type IntegrationEngine,
  type StandIn,
} from '../helpers/integration-standins.js';

let engine: IntegrationEngine | undefined;
let searx: StandIn | undefined;

afterEach(async () => {
  await engine?.dispose();
  await searx?.close();
  engine = searx = undefined;
});

async function setup(extraEnv = ''): Promise<ReturnType<typeof createWebSearch>> {
  searx = await startSearxng();
  engine = await integrationEngine(`SEARXNG_URL=${searx.url}\n${extraEnv}`);
  return createWebSearch(engine.rm);
}

const search = (s: ReturnType<typeof createWebSearch>, args: unknown): Promise<string> => s.tools[0]!.run(args, ctx());

describe('web_search via SearXNG', () => {
  it('returns titles, URLs and snippets, as many as asked', async () => {
    const s = await setup();
    const out = await search(s, { query: 'undici pool', limit: 3 });
    expect(out).toContain('1. Result 1 for undici pool\n   https://example.org/1\n   Snippet 1');
    expect(out).toContain('3. Result 3');
    expect(out).not.toContain('4. Result 4');
    expect(searx!.requests[0]?.query.get('format')).toBe('json');
    expect(searx!.requests[0]?.query.get('q')).toBe('undici pool');
  });

  it('keeps a path prefix in SEARXNG_URL', async () => {
    searx = await startSearxng();
    searx.route('GET /searx/search', reply(200, { results: [{ title: 'T', url: 'https://x.org', content: 'c' }] }));
    engine = await integrationEngine(`SEARXNG_URL=${searx.url}/searx\n`);
    expect(await search(createWebSearch(engine.rm), { query: 'q' })).toContain('1. T');
  });

  it('says clearly when it is not set up, without a request', async () => {
    engine = await integrationEngine('');
    const s = createWebSearch(engine.rm);
    await expect(search(s, { query: 'x' })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringMatching(/not set up: set SEARXNG_URL/),
    });
    expect(await s.configured()).toBe(false);
    expect(engine.rm.stats().httpRequestsMade).toBe(0);
  });

  it('explains a 403 (json format disabled), a 404 and a 429 with Retry-After', async () => {
    const s = await setup();
    searx!.route('GET /search', reply(403, {}));
    await expect(search(s, { query: 'x' })).rejects.toThrow(/add "json" to search\.formats/);
    searx!.route('GET /search', reply(404, {}));
    await expect(search(s, { query: 'x' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    searx!.route('GET /search', reply(429, {}, { 'retry-after': '12' }));
    await expect(search(s, { query: 'x' })).rejects.toThrow(/SearXNG is limiting .* try again in 12 s/);
  });

  it('malformed JSON, an answer without results, and an oversized body are clear errors', async () => {
    const s = await setup();
    searx!.route('GET /search', malformed);
    await expect(search(s, { query: 'x' })).rejects.toThrow(/SearXNG sent an answer that is not valid JSON/);
    searx!.route('GET /search', reply(200, { nothing: true }));
    await expect(search(s, { query: 'x' })).rejects.toThrow(/without a results list/);
    searx!.route('GET /search', oversized(3 * 1024 * 1024));
    await expect(search(s, { query: 'x' })).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  });

  it('times out', async () => {
    const s = await setup('VEGA_HTTP_TIMEOUT_S=0.3\n');
    searx!.route('GET /search', stall);
    await expect(search(s, { query: 'x' })).rejects.toMatchObject({
      code: 'TIMEOUT',
      message: expect.stringMatching(/SearXNG did not start answering within 0\.3 s/),
    });
  });

  it('an instance that is down is named with its setting', async () => {
    const s = await setup();
    await searx!.close();
    await expect(search(s, { query: 'x' })).rejects.toMatchObject({
      code: 'PROVIDER_UNREACHABLE',
      message: expect.stringMatching(/check SEARXNG_URL/),
    });
  });

  it('probes /healthz for health', async () => {
    const s = await setup();
    await s.probe!(AbortSignal.timeout(2000));
    expect(searx!.requests.map((r) => r.path)).toEqual(['/healthz']);
  });
});
