import { afterEach, describe, expect, it } from 'vitest';
import { createHomeAssistant } from '../../src-main/integrations/home-assistant.js';
import {
  ctx,
  HA_TOKEN,
  integrationEngine,
  malformed,
  oversized,
  reply,
  stall,
  startHomeAssistant,
  type IntegrationEngine,
  type StandIn,
} from '../helpers/integration-standins.js';

let engine: IntegrationEngine | undefined;
let ha: StandIn | undefined;

afterEach(async () => {
  await engine?.dispose();
  await ha?.close();
  engine = ha = undefined;
});

async function setup(token = HA_TOKEN, extraEnv = ''): Promise<ReturnType<typeof createHomeAssistant>> {
  ha = await startHomeAssistant();
  engine = await integrationEngine(`HOME_ASSISTANT_URL=${ha.url}\nHOME_ASSISTANT_TOKEN=${token}\n${extraEnv}`);
  return createHomeAssistant(engine.rm);
}

const tool = (h: ReturnType<typeof createHomeAssistant>, name: string) => h.tools.find((t) => t.name === name)!;

describe('Home Assistant', () => {
  it('lists entities compactly, with units and names, filtered by domain or text', async () => {
    const h = await setup();
    const all = await tool(h, 'home_assistant_list_entities').run({}, ctx());
    expect(all.split('\n')).toEqual([
      'light.kitchen = off (Kitchen Light)',
      'light.porch = on (Porch)',
      'sensor.living_temp = 21.5 °C (Living room temperature)',
      'switch.fan = off',
    ]);
    expect(await tool(h, 'home_assistant_list_entities').run({ domain: 'light' }, ctx())).not.toContain('switch.fan');
    expect(await tool(h, 'home_assistant_list_entities').run({ search: 'living' }, ctx())).toBe(
      'sensor.living_temp = 21.5 °C (Living room temperature)',
    );
    expect(ha!.requests[0]?.headers.authorization).toBe(`Bearer ${HA_TOKEN}`);
  });

  it('calls a service (a state-changing tool) and reports the new state', async () => {
    const h = await setup();
    const act = tool(h, 'home_assistant_call_service');
    expect(act.stateChanging).toBe(true);
    expect(tool(h, 'home_assistant_list_entities').stateChanging).toBe(false);
    const out = await act.run({ domain: 'light', service: 'turn_on', entity_id: 'light.kitchen', data: { brightness_pct: 40 } }, ctx());
    expect(out).toBe('Called light.turn_on. Now: light.kitchen = on');
    const sent = ha!.requests.at(-1)!;
    expect(sent.method).toBe('POST');
    expect(sent.path).toBe('/api/services/light/turn_on');
    expect(JSON.parse(sent.body)).toEqual({ brightness_pct: 40, entity_id: 'light.kitchen' });
  });

  it('refuses domain or service names that would change the URL path', async () => {
    const h = await setup();
    await expect(tool(h, 'home_assistant_call_service').run({ domain: '../config', service: 'x' }, ctx())).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    expect(ha!.requests).toHaveLength(0);
  });

  it('a wrong token is a 401 explained with the setting to fix', async () => {
    const h = await setup('wrong-token');
    await expect(tool(h, 'home_assistant_list_entities').run({}, ctx())).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      message: expect.stringMatching(/check HOME_ASSISTANT_TOKEN/),
    });
  });

  it('explains 400 (bad service data), 403, 404 and 429', async () => {
    const h = await setup();
    await expect(tool(h, 'home_assistant_call_service').run({ domain: 'climate', service: 'warp' }, ctx())).rejects.toThrow(
      /rejected climate\.warp: Service climate\.warp not found/,
    );
    ha!.route('GET /api/states', reply(403, { message: 'Forbidden' }));
    await expect(tool(h, 'home_assistant_list_entities').run({}, ctx())).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    ha!.route('POST /api/services/*', reply(404, {}));
    await expect(tool(h, 'home_assistant_call_service').run({ domain: 'light', service: 'turn_on' }, ctx())).rejects.toThrow(
      /no service light\.turn_on/,
    );
    ha!.route('GET /api/states', reply(429, {}, { 'retry-after': '7' }));
    await expect(tool(h, 'home_assistant_list_entities').run({}, ctx())).rejects.toThrow(/try again in 7 s/);
  });

  it('malformed JSON, oversized states and a stalled server are clear errors', async () => {
    const h = await setup(HA_TOKEN, 'VEGA_HTTP_TIMEOUT_S=0.3\n');
    ha!.route('GET /api/states', malformed);
    await expect(tool(h, 'home_assistant_list_entities').run({}, ctx())).rejects.toThrow(/not valid JSON/);
    ha!.route('GET /api/states', oversized(9 * 1024 * 1024));
    await expect(tool(h, 'home_assistant_list_entities').run({}, ctx())).rejects.toThrow(/more than 8 MiB/);
    ha!.route('GET /api/states', stall);
    await expect(tool(h, 'home_assistant_list_entities').run({}, ctx())).rejects.toMatchObject({
      code: 'TIMEOUT',
      message: expect.stringMatching(/Home Assistant did not start answering within 0\.3 s/),
    });
  });

  it('not set up: a clear message and no request', async () => {
    engine = await integrationEngine('');
    const h = createHomeAssistant(engine.rm);
    await expect(tool(h, 'home_assistant_list_entities').run({}, ctx())).rejects.toThrow(
      /not set up: set HOME_ASSISTANT_URL and HOME_ASSISTANT_TOKEN/,
    );
    expect(await h.configured()).toBe(false);
  });

  it('GET /api/ is the health probe', async () => {
    const h = await setup();
    await h.probe!(AbortSignal.timeout(2000));
    expect(ha!.requests.map((r) => r.path)).toEqual(['/api/']);
  });
});
