import { afterEach, describe, expect, it } from 'vitest';
import { createSlack } from '../../src-main/integrations/slack.js';
import {
  ctx,
  integrationEngine,
  json,
  malformed,
  oversized,
  reply,
  sequence,
  SLACK_TOKEN,
  stall,
  startSlack,
  type IntegrationEngine,
  type StandIn,
} from '../helpers/integration-standins.js';

let engine: IntegrationEngine | undefined;
let slack: StandIn | undefined;

afterEach(async () => {
  await engine?.dispose();
  await slack?.close();
  engine = slack = undefined;
});

async function setup(token = SLACK_TOKEN, extraEnv = ''): Promise<{ s: ReturnType<typeof createSlack>; waits: number[] }> {
  slack = await startSlack();
  engine = await integrationEngine(`SLACK_BOT_TOKEN=${token}\n${extraEnv}`);
  const waits: number[] = [];
  const s = createSlack(engine.rm, { apiUrl: `${slack.url}/api/`, sleep: async (ms) => void waits.push(ms) });
  return { s, waits };
}

const tool = (s: ReturnType<typeof createSlack>, name: string) => s.tools.find((t) => t.name === name)!;

describe('Slack', () => {
  it('lists channels', async () => {
    const { s } = await setup();
    const out = await tool(s, 'slack_list_channels').run({}, ctx());
    expect(out.split('\n')).toEqual([
      '#general (C1; public, bot is a member, 12 members) — Everything',
      '#secret (C2; private, bot not a member, 3 members)',
    ]);
    expect(slack!.requests[0]?.headers.authorization).toBe(`Bearer ${SLACK_TOKEN}`);
    expect(slack!.requests[0]?.query.get('types')).toBe('public_channel,private_channel');
  });

  it('posts a message (a state-changing tool)', async () => {
    const { s } = await setup();
    const post = tool(s, 'slack_post_message');
    expect(post.stateChanging).toBe(true);
    expect(await post.run({ channel: 'C1', text: 'Hello from Vega' }, ctx())).toBe('Posted to C1 (channel C1, message 1700000000.000100).');
    const sent = slack!.requests.at(-1)!;
    expect(sent.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(sent.body)).toEqual({ channel: 'C1', text: 'Hello from Vega' });
  });

  it("maps Slack's ok:false errors to sentences", async () => {
    const { s } = await setup();
    const post = tool(s, 'slack_post_message');
    await expect(post.run({ channel: 'C2', text: 'x' }, ctx())).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      message: expect.stringMatching(/not a member of that channel: invite it/),
    });
    await expect(post.run({ channel: 'C404', text: 'x' }, ctx())).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringMatching(/no channel by that name or id/),
    });
    slack!.route(
      'POST /api/chat.postMessage',
      reply(200, { ok: false, error: 'missing_scope', needed: 'chat:write', provided: 'channels:read' }),
    );
    await expect(post.run({ channel: 'C1', text: 'x' }, ctx())).rejects.toThrow(/lacks a permission \(needs chat:write\)/);
    slack!.route('POST /api/chat.postMessage', reply(200, { ok: false, error: 'something_new' }));
    await expect(post.run({ channel: 'C1', text: 'x' }, ctx())).rejects.toThrow(/Slack refused the request \("something_new"\)/);
  });

  it('a wrong token is invalid_auth, explained with the setting', async () => {
    const { s } = await setup('xoxb-wrong');
    await expect(tool(s, 'slack_list_channels').run({}, ctx())).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      message: expect.stringMatching(/check SLACK_BOT_TOKEN/),
    });
  });

  it('429 with a short Retry-After: waits it out once and retries', async () => {
    const { s, waits } = await setup();
    slack!.route(
      'POST /api/chat.postMessage',
      sequence(reply(429, { ok: false, error: 'ratelimited' }, { 'retry-after': '2' }), (req, res) =>
        json(res, 200, { ok: true, channel: 'C1', ts: '1.2' }),
      ),
    );
    expect(await tool(s, 'slack_post_message').run({ channel: 'C1', text: 'x' }, ctx())).toContain('Posted');
    expect(waits).toEqual([2000]);
    expect(slack!.requests.filter((r) => r.path === '/api/chat.postMessage')).toHaveLength(2);
    expect(s.stats()).toMatchObject({ calls: 1, failures: 0 });
  });

  it('429 with a long Retry-After, or twice: explained, not retried (again)', async () => {
    const { s, waits } = await setup();
    slack!.route('GET /api/conversations.list', reply(429, {}, { 'retry-after': '30' }));
    await expect(tool(s, 'slack_list_channels').run({}, ctx())).rejects.toThrow(
      /limiting how often Vega may call conversations\.list; try again in 30 s/,
    );
    expect(waits).toEqual([]);
    slack!.route('GET /api/conversations.list', reply(429, {}, { 'retry-after': '1' }));
    await expect(tool(s, 'slack_list_channels').run({}, ctx())).rejects.toThrow(/try again in 1 s/);
    expect(waits).toEqual([1000]);
    expect(slack!.requests).toHaveLength(3);
  });

  it('HTTP errors, malformed JSON, oversized bodies and stalls are clear errors', async () => {
    const { s } = await setup(SLACK_TOKEN, 'VEGA_HTTP_TIMEOUT_S=0.3\n');
    const list = tool(s, 'slack_list_channels');
    slack!.route('GET /api/conversations.list', reply(404, {}));
    await expect(list.run({}, ctx())).rejects.toMatchObject({ code: 'NOT_FOUND' });
    slack!.route('GET /api/conversations.list', reply(403, {}));
    await expect(list.run({}, ctx())).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    slack!.route('GET /api/conversations.list', malformed);
    await expect(list.run({}, ctx())).rejects.toThrow(/not valid JSON/);
    slack!.route('GET /api/conversations.list', oversized(3 * 1024 * 1024));
    await expect(list.run({}, ctx())).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    slack!.route('GET /api/conversations.list', stall);
    await expect(list.run({}, ctx())).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(s.stats()).toMatchObject({ calls: 5, failures: 5 });
  });

  it('not set up: a clear message, no request', async () => {
    engine = await integrationEngine('');
    const s = createSlack(engine.rm, { apiUrl: 'http://127.0.0.1:9/api/' });
    await expect(tool(s, 'slack_list_channels').run({}, ctx())).rejects.toThrow(/Slack is not set up: set SLACK_BOT_TOKEN/);
    expect(engine.rm.stats().httpRequestsMade).toBe(0);
  });

  it('auth.test is the health probe', async () => {
    const { s } = await setup();
    await s.probe!(AbortSignal.timeout(2000));
    expect(slack!.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /api/auth.test']);
  });
});
