import { afterEach, describe, expect, it } from 'vitest';
import type { Tool } from '../../src-main/chat/tools.js';
import { createIntegrations, type Integrations } from '../../src-main/integrations/index.js';
import {
  ctx,
  HA_TOKEN,
  integrationEngine,
  reply,
  SLACK_TOKEN,
  stall,
  startGitHub,
  startHomeAssistant,
  startSearxng,
  startSlack,
  startDeviceServer,
  tableResolver,
  type IntegrationEngine,
  type StandIn,
} from '../helpers/integration-standins.js';

let engine: IntegrationEngine | undefined;
const servers: StandIn[] = [];

afterEach(async () => {
  await engine?.dispose();
  for (const s of servers.splice(0)) await s.close();
  engine = undefined;
});

interface World {
  integrations: Integrations;
  searx: StandIn;
  ha: StandIn;
  gh: StandIn;
  slack: StandIn;
  idp: StandIn;
}

async function world(extraEnv = '', healthTimeoutMs?: number): Promise<World> {
  const [searx, ha, gh, slack, idp] = await Promise.all([
    startSearxng(),
    startHomeAssistant(),
    startGitHub(),
    startSlack(),
    startDeviceServer('oidc', []),
  ]);
  servers.push(searx, ha, gh, slack, idp);
  engine = await integrationEngine(
    [
      `SEARXNG_URL=${searx.url}`,
      `HOME_ASSISTANT_URL=${ha.url}`,
      `HOME_ASSISTANT_TOKEN=${HA_TOKEN}`,
      `SLACK_BOT_TOKEN=${SLACK_TOKEN}`,
      `OIDC_ISSUER=${idp.url}`,
      'OIDC_CLIENT_ID=vega',
      extraEnv,
    ].join('\n'),
  );
  const integrations = createIntegrations(engine.rm, {
    githubApiUrl: gh.url,
    slackApiUrl: `${slack.url}/api/`,
    resolver: tableResolver({}),
    healthTimeoutMs,
  });
  return { integrations, searx, ha, gh, slack, idp };
}

describe('createIntegrations', () => {
  it('offers every tool once, with a JSON schema, state-changing ones marked', async () => {
    const { integrations } = await world();
    const names = integrations.tools.map((t) => t.name);
    expect(names).toEqual([
      'fetch_text',
      'web_search',
      'home_assistant_list_entities',
      'home_assistant_call_service',
      'github_search_repositories',
      'github_search_issues',
      'github_read_issue',
      'slack_list_channels',
      'slack_post_message',
    ]);
    expect(integrations.tools.filter((t) => t.stateChanging).map((t) => t.name)).toEqual([
      'home_assistant_call_service',
      'slack_post_message',
    ]);
    for (const t of integrations.tools) {
      expect(t.parameters.type, t.name).toBe('object');
      expect(t.parameters.$schema, t.name).toBeUndefined();
      expect(t.description.length, t.name).toBeGreaterThan(20);
    }
    expect(integrations.tools.find((t) => t.name === 'fetch_text')!.parameters).toMatchObject({
      properties: { url: { type: 'string' } },
      required: ['url'],
    });
    // Compile-time: an integration tool is a chat Tool as it stands (the ToolRegistry takes it unadapted).
    const asChatTools: readonly Tool[] = integrations.tools;
    expect(asChatTools).toHaveLength(9);
  });

  it('configuredTools leaves out the integrations that are not set up', async () => {
    engine = await integrationEngine('');
    const integrations = createIntegrations(engine.rm);
    expect((await integrations.configuredTools()).map((t) => t.name)).toEqual([
      'fetch_text',
      'github_search_repositories',
      'github_search_issues',
      'github_read_issue',
    ]);
  });

  it('sends the turn id as x-request-id, so the engine request table can be matched to it', async () => {
    const { integrations, searx } = await world();
    await integrations.tools
      .find((t) => t.name === 'web_search')!
      .run({ query: 'x' }, { signal: new AbortController().signal, requestId: 'turn-42' });
    expect(searx.requests[0]?.headers['x-request-id']).toBe('turn-42');
  });

  it('health: each integration configured, reachable, with latency', async () => {
    const { integrations, gh } = await world('GITHUB_TOKEN=ghp_standin_token');
    const health = await integrations.health();
    expect(health.map((h) => h.id)).toEqual(['web-fetch', 'web-search', 'home-assistant', 'github', 'slack', 'sso']);
    for (const h of health) {
      expect(h, h.id).toMatchObject({ kind: 'integration', configured: true, reachable: true, lastError: null });
      expect(typeof h.checkedAt).toBe('string');
      if (h.id !== 'web-fetch') expect(h.latencyMs, h.id).toBeGreaterThanOrEqual(0);
    }
    expect(gh.requests.map((r) => r.path)).toEqual(['/rate_limit']);
    // A health check refreshes GitHub's numbers but is not a tool call.
    const ghStats = integrations.stats().find((s) => s.id === 'github')!;
    expect(ghStats.calls).toBe(0);
    expect(ghStats.rateLimit?.remaining).toBe(4999);
  });

  it('health does not call GitHub until a token is set or the person signed in', async () => {
    const { integrations, gh } = await world();
    const github = (await integrations.health()).find((h) => h.id === 'github');
    expect(github).toMatchObject({ configured: true, reachable: true, latencyMs: null, lastError: null });
    expect(gh.requests).toEqual([]);
  });

  it('health: not configured, unauthorized (reachable) and down (unreachable) are told apart', async () => {
    const { integrations, ha, slack, searx } = await world();
    ha.route('GET /api/', reply(401, {}));
    slack.route('POST /api/auth.test', reply(200, { ok: false, error: 'invalid_auth' }));
    await searx.close();
    const byId = Object.fromEntries((await integrations.health()).map((h) => [h.id, h]));
    expect(byId['home-assistant']).toMatchObject({
      configured: true,
      reachable: true,
      lastError: expect.stringMatching(/HOME_ASSISTANT_TOKEN/),
    });
    expect(byId.slack).toMatchObject({ reachable: true, lastError: expect.stringMatching(/SLACK_BOT_TOKEN/) });
    expect(byId['web-search']).toMatchObject({ reachable: false, latencyMs: null, lastError: expect.stringMatching(/not reachable/) });
    await engine!.dispose();
    engine = await integrationEngine('');
    const bare = Object.fromEntries((await createIntegrations(engine.rm).health()).map((h) => [h.id, h]));
    for (const id of ['web-search', 'home-assistant', 'slack', 'sso'])
      expect(bare[id], id).toMatchObject({ configured: false, reachable: false, lastError: null });
  });

  it('health never hangs: a stalled service is cut at the bound (2 s by default)', async () => {
    const { integrations, ha, slack } = await world();
    ha.route('GET /api/', stall);
    slack.route('POST /api/auth.test', stall);
    const start = Date.now();
    const byId = Object.fromEntries((await integrations.health()).map((h) => [h.id, h]));
    const took = Date.now() - start;
    expect(took).toBeGreaterThanOrEqual(1_900);
    expect(took).toBeLessThan(3_000);
    expect(byId['home-assistant']).toMatchObject({ reachable: false, lastError: 'No answer within 2 s.' });
    expect(byId.slack).toMatchObject({ reachable: false, lastError: 'No answer within 2 s.' });
    expect(byId['web-search']).toMatchObject({ reachable: true });
  });

  it('stats: one entry per integration with calls, failures, latency and last status', async () => {
    const { integrations, gh } = await world();
    const run = (name: string, args: unknown) => integrations.tools.find((t) => t.name === name)!.run(args, ctx());
    await run('web_search', { query: 'x' });
    await run('home_assistant_list_entities', {});
    await run('github_search_repositories', { query: 'x' });
    gh.route('GET /search/issues', reply(500, { message: 'boom' }));
    await expect(run('github_search_issues', { query: 'x' })).rejects.toThrow(/error of its own \(HTTP 500\): boom/);
    await run('slack_list_channels', {});
    const stats = Object.fromEntries(integrations.stats().map((s) => [s.id, s]));
    expect(Object.keys(stats)).toEqual(['web-fetch', 'web-search', 'home-assistant', 'github', 'slack', 'sso']);
    expect(stats['web-search']).toMatchObject({ calls: 1, failures: 0, lastStatus: 'ok', lastHttpStatus: 200, lastError: null });
    expect(stats.github).toMatchObject({
      calls: 2,
      failures: 1,
      lastStatus: 'error',
      lastHttpStatus: 500,
      lastError: expect.stringMatching(/HTTP 500/),
    });
    expect(stats.github!.latencyMs.p95).toBeGreaterThanOrEqual(stats.github!.latencyMs.p50);
    expect(stats.github!.latencyMs.p50).toBeGreaterThan(0);
    expect(stats['web-fetch']).toMatchObject({ calls: 0, lastStatus: null });
    const text = JSON.stringify(stats);
    for (const secret of [HA_TOKEN, SLACK_TOKEN]) expect(text).not.toContain(secret);
  });

  it('shutdown stops a pending sign-in', async () => {
    const { integrations, idp } = await world();
    idp.route('POST /oauth/token', reply(400, { error: 'authorization_pending' }));
    await integrations.sso.start('oidc');
    const outcome = integrations.sso.wait('oidc').then(
      () => 'signed in',
      (err: unknown) => err,
    );
    await engine!.rm.shutdown();
    expect(await outcome).toMatchObject({ code: expect.stringMatching(/ABORTED|SHUTTING_DOWN/) });
    expect((await integrations.sso.status())[0]).toMatchObject({ pending: false, signedIn: false });
  });
});
