import { afterEach, describe, expect, it } from 'vitest';
import { createIntegrations } from '../../src-main/integrations/index.js';
import {
  ctx,
  HA_TOKEN,
  integrationEngine,
  SLACK_TOKEN,
  startGitHub,
  startHomeAssistant,
  startSearxng,
  startSlack,
  startStandIn,
  tableResolver,
  text,
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

const LIMIT = 10;
const CALLS = 1000;
const CONCURRENCY = 50;

describe('every integration on the one pooled client', () => {
  it(`${CALLS} mixed calls, ${CONCURRENCY} at a time: one client, at most ${LIMIT} connections per stand-in, every request counted by the engine`, async () => {
    const [searx, ha, gh, slack, site] = await Promise.all([
      startSearxng(),
      startHomeAssistant(),
      startGitHub(),
      startSlack(),
      startStandIn({ 'GET /page': text(200, 'text/html', '<title>P</title><p>page</p>') }),
    ]);
    servers.push(searx, ha, gh, slack, site);
    engine = await integrationEngine(
      [
        `VEGA_HTTP_MAX_CONNECTIONS=${LIMIT}`,
        'VEGA_FETCH_ALLOW_HOSTS=standin.test',
        `SEARXNG_URL=${searx.url}`,
        `HOME_ASSISTANT_URL=${ha.url}`,
        `HOME_ASSISTANT_TOKEN=${HA_TOKEN}`,
        `SLACK_BOT_TOKEN=${SLACK_TOKEN}`,
      ].join('\n'),
    );
    const integrations = createIntegrations(engine.rm, {
      githubApiUrl: gh.url,
      slackApiUrl: `${slack.url}/api/`,
      resolver: tableResolver({ 'standin.test': ['127.0.0.1'] }),
    });
    const tool = (name: string) => integrations.tools.find((t) => t.name === name)!;
    const calls: [string, unknown][] = [
      ['fetch_text', { url: `http://standin.test:${site.port}/page` }],
      ['web_search', { query: 'pool' }],
      ['home_assistant_list_entities', { domain: 'light' }],
      ['home_assistant_call_service', { domain: 'light', service: 'toggle', entity_id: 'light.porch' }],
      ['github_search_repositories', { query: 'pool' }],
      ['github_read_issue', { owner: 'octo', repo: 'hello', number: 1 }],
      ['slack_list_channels', {}],
      ['slack_post_message', { channel: 'C1', text: 'hi' }],
    ];

    let next = 0;
    let done = 0;
    const deadline = Date.now() + 20_000;
    const worker = async (): Promise<void> => {
      while (next < CALLS && Date.now() < deadline) {
        const [name, args] = calls[next++ % calls.length]!;
        await tool(name).run(args, ctx());
        done++;
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    expect(done).toBe(CALLS);
    const stats = engine.rm.stats();
    expect(stats.httpClientsCreated).toBe(1);
    for (const s of servers) {
      expect(s.accepted(), s.url).toBeGreaterThan(0);
      expect(s.accepted(), s.url).toBeLessThanOrEqual(LIMIT);
      expect(s.peakOpen(), s.url).toBeLessThanOrEqual(LIMIT);
    }
    // Every request any stand-in saw went through the engine's dispatcher (its interceptor counted it).
    const seen = servers.reduce((n, s) => n + s.requests.length, 0);
    expect(stats.httpRequestsMade).toBe(seen);
    expect(stats.httpRequestsFailed).toBe(0);
    expect(stats.connectionsOpened).toBe(servers.reduce((n, s) => n + s.accepted(), 0));
    expect(engine.refused).toEqual([]);
    const perIntegration = integrations.stats().reduce((n, s) => n + s.calls, 0);
    // A call is a tool run, whatever number of requests it took (an issue and its comments are one).
    expect(perIntegration).toBe(CALLS);
    expect(seen).toBe(CALLS + CALLS / calls.length);
  });
});
