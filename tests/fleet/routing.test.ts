import { afterEach, describe, expect, it, vi } from 'vitest';
import { statsJson } from '../../src-main/web/admin-json.js';
import { eventually } from '../helpers/servers.js';
import { turnDone } from '../chat/harness.js';
import { answer, fleetHarness, loadOn, type FleetHarness } from './harness.js';

let h: FleetHarness | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await h?.dispose();
  h = undefined;
});

describe('routing across three Ollama servers on 127.0.0.1, .2 and .3', () => {
  it('sends a turn only to a server that has the model', async () => {
    h = await fleetHarness([{ models: ['a'] }, { models: ['b'] }, { models: ['c'] }]);
    const fleet = h.fleet();
    expect(await answer(fleet, { model: 'b' })).toEqual({ text: 'You said: hello there' });
    expect(await answer(fleet, { model: 'c:latest' })).toEqual({ text: 'You said: hello there' });
    expect(h.chats()).toEqual([0, 1, 1]);
  });

  it('prefers the server where the model is already loaded', async () => {
    h = await fleetHarness([{ models: ['m'] }, { models: ['m'] }, { models: ['m'] }]);
    await loadOn(h.servers[2]!, 'm');
    const fleet = h.fleet();
    for (let i = 0; i < 3; i++) expect((await answer(fleet, { model: 'm' })).error).toBeUndefined();
    expect(h.chats()).toEqual([0, 0, 3]);
  });

  it('then the one with the fewest requests running (the pool counts them per origin)', async () => {
    h = await fleetHarness([
      { models: ['m'], tokenDelayMs: 30 },
      { models: ['m'], tokenDelayMs: 30 },
      { models: ['m'], tokenDelayMs: 30 },
    ]);
    const fleet = h.fleet();
    const long = 'one two three four five six seven eight';
    const all = await Promise.all([0, 1, 2].map(() => answer(fleet, { model: 'm', text: long })));
    expect(all.every((a) => a.text === `You said: ${long}`)).toBe(true);
    // Each started while the others were running: each went where none was.
    expect(h.chats()).toEqual([1, 1, 1]);
    expect(h.engine.rm.stats().httpClientsCreated).toBe(1);
  });

  it('keeps a conversation on its server while it is healthy, then moves it without an error', async () => {
    h = await fleetHarness([{ models: ['m'] }, { models: ['m'] }, { models: ['m'] }]);
    const { service } = h.chat;
    const conv = await service.create({ model: 'm' });
    await service.send(conv.id, 'first');
    await turnDone(h.chat, h.events, conv.id);
    const first = h.chats().findIndex((n) => n === 1);
    // Another server now has the model loaded, which a new conversation would prefer; this one stays.
    await loadOn(h.servers[(first + 1) % 3]!, 'm');
    await service.send(conv.id, 'second');
    await turnDone(h.chat, h.events, conv.id);
    expect(h.chats()[first]).toBe(2);
    await h.servers[first]!.stop();
    await service.send(conv.id, 'third');
    const third = await turnDone(h.chat, h.events, conv.id);
    expect([third.content, third.error, third.partial]).toEqual(['You said: third', undefined, undefined]);
    expect(h.events.some((e) => e.type === 'error')).toBe(false);
  });

  it('fails over before the first token: the turn succeeds, the dead server’s breaker opens, it rejoins when back', async () => {
    h = await fleetHarness([{ models: ['m'] }, { models: ['m'] }]);
    await loadOn(h.servers[0]!, 'm'); // .1 is the one every turn tries first
    const fleet = h.fleet({ breaker: { failures: 2, pauseMs: 30_000 } });
    expect((await answer(fleet, { model: 'm' })).error).toBeUndefined();
    expect(h.chats()).toEqual([1, 0]);
    await h.servers[0]!.stop();
    for (let i = 0; i < 3; i++) expect(await answer(fleet, { model: 'm' })).toEqual({ text: 'You said: hello there' });
    const down = fleet.endpoints().find((e) => e.url.includes('127.0.0.1'))!;
    expect(down.state).toBe('breaker-open');
    expect(down.errors).toBe(2); // the third turn did not try it
    vi.useFakeTimers({ toFake: ['Date'] });
    await h.servers[0]!.start();
    vi.setSystemTime(Date.now() + 30_000);
    // Half-open: the next turn routed there is the probe; it succeeds and closes the breaker.
    await eventually(() => fleet.endpoints()[0]!.state !== 'breaker-open', 1_000, 'half-open');
    const before = h.chats()[0]!;
    await answer(fleet, { model: 'm' });
    await answer(fleet, { model: 'm' });
    expect(h.chats()[0]).toBeGreaterThan(before);
    expect(fleet.endpoints()[0]!.state).toBe('up');
  });

  it('after the first token a failure is the turn’s: the part received is kept, nothing is replayed elsewhere', async () => {
    h = await fleetHarness([{ models: ['m'] }, { models: ['m'] }], 'VEGA_LLM_TIMEOUT_S=1\n');
    h.servers[0]!.set({ stallAfterTokens: 2 });
    const fleet = h.fleet();
    const r = await answer(fleet, { model: 'm', text: 'one two three four' });
    expect(r.text).toBe('You said:');
    expect((r.error as { code?: string }).code).toBe('TIMEOUT');
    expect(h.chats()).toEqual([1, 0]);
  });

  it('a server that hangs is left at the timeout; the turn moves on and others are not held', async () => {
    h = await fleetHarness([{ models: ['m'] }, { models: ['m'] }, { models: ['m'] }], 'VEGA_LLM_TIMEOUT_S=1\n');
    h.servers[0]!.set({ stallBeforeFirstToken: true });
    const fleet = h.fleet();
    const order: string[] = [];
    const hung = answer(fleet, { model: 'm', text: 'hung' }).then((r) => (order.push('rerouted'), r));
    await eventually(() => h!.chats()[0] === 1, 5_000, 'the first turn at the hanging server');
    const other = answer(fleet, { model: 'm', text: 'other' }).then((r) => (order.push('other'), r));
    expect((await other).text).toBe('You said: other');
    expect((await hung).text).toBe('You said: hung');
    expect(order).toEqual(['other', 'rerouted']);
    expect(fleet.endpoints()[0]!.errors).toBe(1);
  });

  it('merges the model lists; a model on no server says so', async () => {
    h = await fleetHarness([{ models: ['a', 'b'] }, { models: ['b', 'c'] }, { models: ['d'] }]);
    const fleet = h.fleet();
    expect((await fleet.models()).map((m) => m.name).sort()).toEqual(['a:latest', 'b:latest', 'c:latest', 'd:latest']);
    await h.servers[2]!.stop();
    // A model no list has makes the fleet look again (at most once a second) before it says so.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 2_000);
    const r = await answer(fleet, { model: 'zz' });
    expect((r.error as { code?: string }).code).toBe('MODEL_NOT_FOUND');
    expect(r.error!.message).toMatch(
      /"zz" is on none of the 3 servers in OLLAMA_HOST \(1 of them not answering now: http:\/\/127\.0\.0\.3:\d+\)/,
    );
  });

  it('the endpoints reach the admin stats with each one’s share of turns', async () => {
    h = await fleetHarness([{ models: ['m'] }, { models: ['m'] }, { models: ['m'] }]);
    const conv = await h.chat.service.create({ model: 'm' });
    await h.chat.service.send(conv.id, 'hi');
    await turnDone(h.chat, h.events, conv.id);
    const endpoints = h.chat.endpoints();
    expect(endpoints.map((e) => e.url)).toEqual(h.servers.map((s) => s.url));
    expect(endpoints.reduce((n, e) => n + e.turns, 0)).toBe(1);
    expect(endpoints.find((e) => e.turns === 1)).toMatchObject({ provider: 'ollama', state: 'up', share: 1, models: ['m:latest'] });
    const json = statsJson({ ...h.engine.rm.snapshot(), endpoints }, 'now') as {
      endpoints: { url: string; share: number; ttft_p50_ms: number | null }[];
    };
    expect(json.endpoints).toHaveLength(3);
    expect(json.endpoints.find((e) => e.share === 1)?.ttft_p50_ms).toEqual(expect.any(Number));
  });
});
