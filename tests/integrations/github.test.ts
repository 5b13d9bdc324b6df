import { afterEach, describe, expect, it } from 'vitest';
import { createGitHub } from '../../src-main/integrations/github.js';
import {
  ctx,
  GITHUB_RESET,
  integrationEngine,
  malformed,
  oversized,
  reply,
  stall,
  startGitHub,
  type IntegrationEngine,
  type StandIn,
} from '../helpers/integration-standins.js';

let engine: IntegrationEngine | undefined;
let gh: StandIn | undefined;

afterEach(async () => {
  await engine?.dispose();
  await gh?.close();
  engine = gh = undefined;
});

async function setup(env = '', signedIn?: string): Promise<ReturnType<typeof createGitHub>> {
  gh = await startGitHub();
  engine = await integrationEngine(env);
  return createGitHub(engine.rm, { apiUrl: gh.url, signedInToken: async () => signedIn });
}

const tool = (g: ReturnType<typeof createGitHub>, name: string) => g.tools.find((t) => t.name === name)!;
const RESET_ISO = new Date(GITHUB_RESET * 1000).toISOString();

describe('GitHub', () => {
  it('searches repositories and issues', async () => {
    const g = await setup();
    const repos = await tool(g, 'github_search_repositories').run({ query: 'hello language:ts', limit: 3 }, ctx());
    expect(repos).toContain('42 repositories; the first 1:');
    expect(repos).toContain('octo/hello (TypeScript, ★ 7, updated 2025-01-02)');
    expect(gh!.requests[0]?.query.get('q')).toBe('hello language:ts');
    expect(gh!.requests[0]?.query.get('per_page')).toBe('3');
    const issues = await tool(g, 'github_search_issues').run({ query: 'repo:octo/hello breaks' }, ctx());
    expect(issues).toContain('octo/hello#1 [issue, open] It breaks — mona, 2 comments');
  });

  it('reads an issue with its comments (a number sent as a string is accepted)', async () => {
    const g = await setup();
    const out = await tool(g, 'github_read_issue').run({ owner: 'octo', repo: 'hello', number: '1' }, ctx());
    expect(out).toContain('octo/hello#1: It breaks [issue, open]');
    expect(out).toContain('labels: bug');
    expect(out).toContain('Steps to reproduce…');
    expect(out).toContain('--- hubot on 2025-01-02:\nConfirmed.');
    expect(out).toContain('--- mona on 2025-01-03:\nFixed in #2.');
    expect(gh!.requests.map((r) => r.path)).toEqual(['/repos/octo/hello/issues/1', '/repos/octo/hello/issues/1/comments']);
  });

  it('sends no Authorization without a token; GITHUB_TOKEN wins over a signed-in token', async () => {
    let g = await setup();
    await tool(g, 'github_search_issues').run({ query: 'x' }, ctx());
    expect(gh!.requests[0]?.headers.authorization).toBeUndefined();
    expect(gh!.requests[0]?.headers['x-github-api-version']).toBe('2022-11-28');
    await engine!.dispose();
    await gh!.close();
    g = await setup('', 'gho_signed_in');
    await tool(g, 'github_search_issues').run({ query: 'x' }, ctx());
    expect(gh!.requests[0]?.headers.authorization).toBe('Bearer gho_signed_in');
    await engine!.dispose();
    await gh!.close();
    g = await setup('GITHUB_TOKEN=ghp_from_settings\n', 'gho_signed_in');
    await tool(g, 'github_search_issues').run({ query: 'x' }, ctx());
    expect(gh!.requests[0]?.headers.authorization).toBe('Bearer ghp_from_settings');
  });

  it('surfaces the rate-limit headers in stats', async () => {
    const g = await setup();
    await tool(g, 'github_search_repositories').run({ query: 'x' }, ctx());
    expect(g.stats().rateLimit).toEqual({ limit: 5000, remaining: 4999, resetAt: RESET_ISO, resource: 'search' });
    await tool(g, 'github_read_issue').run({ owner: 'octo', repo: 'hello', number: 1 }, ctx());
    expect(g.stats()).toMatchObject({
      calls: 2,
      failures: 0,
      lastStatus: 'ok',
      lastHttpStatus: 200,
      rateLimit: { remaining: 4997, resource: 'core' },
    });
  });

  it('403 with the limit used up is explained with the reset time', async () => {
    const g = await setup();
    gh!.route(
      'GET /search/issues',
      reply(
        403,
        { message: 'API rate limit exceeded for 1.2.3.4.' },
        {
          'x-ratelimit-limit': '60',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': String(GITHUB_RESET),
          'x-ratelimit-resource': 'core',
        },
      ),
    );
    await expect(tool(g, 'github_search_issues').run({ query: 'x' }, ctx())).rejects.toThrow(
      new RegExp(
        `GitHub's rate limit is used up \\(60 requests\\); it resets at ${RESET_ISO.replace(/\./g, '\\.')} .* Set GITHUB_TOKEN or sign in with GitHub`,
      ),
    );
    expect(g.stats().rateLimit).toMatchObject({ remaining: 0, limit: 60 });
  });

  it('429 and a secondary limit with Retry-After are explained', async () => {
    const g = await setup();
    gh!.route('GET /search/issues', reply(429, { message: 'slow down' }, { 'retry-after': '30' }));
    await expect(tool(g, 'github_search_issues').run({ query: 'x' }, ctx())).rejects.toThrow(
      /slow down \(secondary rate limit\); try again in 30 s/,
    );
    gh!.route('GET /search/issues', reply(403, { message: 'You have exceeded a secondary rate limit.' }, { 'retry-after': '60' }));
    await expect(tool(g, 'github_search_issues').run({ query: 'x' }, ctx())).rejects.toThrow(/try again in 60 s/);
  });

  it('explains 401, 403, 404 and 422', async () => {
    const g = await setup('GITHUB_TOKEN=ghp_bad\n');
    gh!.route('GET /search/issues', reply(401, { message: 'Bad credentials' }));
    await expect(tool(g, 'github_search_issues').run({ query: 'x' }, ctx())).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      message: expect.stringMatching(/check GITHUB_TOKEN/),
    });
    gh!.route('GET /search/issues', reply(403, { message: 'Resource not accessible by integration' }));
    await expect(tool(g, 'github_search_issues').run({ query: 'x' }, ctx())).rejects.toThrow(
      /denied access \(403\): Resource not accessible/,
    );
    await expect(tool(g, 'github_read_issue').run({ owner: 'octo', repo: 'nope', number: 9 }, ctx())).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    gh!.route('GET /search/issues', reply(422, { message: 'Validation Failed' }));
    await expect(tool(g, 'github_search_issues').run({ query: 'x' }, ctx())).rejects.toThrow(/could not run that query: Validation Failed/);
  });

  it('malformed JSON, an oversized answer and a stall are clear errors', async () => {
    const g = await setup('VEGA_HTTP_TIMEOUT_S=0.3\n');
    gh!.route('GET /search/issues', malformed);
    await expect(tool(g, 'github_search_issues').run({ query: 'x' }, ctx())).rejects.toThrow(
      /GitHub sent an answer that is not valid JSON/,
    );
    gh!.route('GET /search/issues', oversized(3 * 1024 * 1024));
    await expect(tool(g, 'github_search_issues').run({ query: 'x' }, ctx())).rejects.toThrow(/GitHub sent more than 2 MiB/);
    gh!.route('GET /search/issues', stall);
    await expect(tool(g, 'github_search_issues').run({ query: 'x' }, ctx())).rejects.toMatchObject({
      code: 'TIMEOUT',
      message: expect.stringMatching(/GitHub did not start answering within 0\.3 s/),
    });
    expect(g.stats()).toMatchObject({ calls: 3, failures: 3, lastStatus: 'error' });
  });

  it('owner and repo names cannot move the URL path', async () => {
    const g = await setup();
    await expect(tool(g, 'github_read_issue').run({ owner: '..', repo: 'x', number: 1 }, ctx())).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    await expect(tool(g, 'github_read_issue').run({ owner: 'a/b', repo: 'x', number: 1 }, ctx())).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    expect(gh!.requests).toHaveLength(0);
  });

  it('the token never appears in stats or errors', async () => {
    const g = await setup('GITHUB_TOKEN=ghp_very_secret_value\n');
    gh!.route('GET /search/issues', reply(401, { message: 'Bad credentials' }));
    const err = await tool(g, 'github_search_issues')
      .run({ query: 'x' }, ctx())
      .catch((e: Error) => e);
    expect(String((err as Error).message)).not.toContain('ghp_very_secret_value');
    expect(JSON.stringify(g.stats())).not.toContain('ghp_very_secret_value');
  });
});
