import { request } from 'undici';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventHub } from '../../src-main/app/events.js';
import { startDashboardTicker } from '../../src-main/app/ticker.js';
import { expandSnapshot, type ResourceSnapshot } from '../../src-shared/resources.js';
import { tempEngine, type TempEngine } from '../helpers/engine.js';
import { startCountingServer, type CountingServer } from '../helpers/servers.js';

let engine: TempEngine | undefined;
let server: CountingServer | undefined;

afterEach(async () => {
  vi.useRealTimers();
  await engine?.dispose();
  await server?.close();
  engine = server = undefined;
});

describe('EventHub listener counts', () => {
  it('tells a watcher each change of an event’s listener count, and only changes', () => {
    const hub = new EventHub();
    const seen: number[] = [];
    hub.onListenerCount('resources:snapshot', (n) => seen.push(n));
    const a = (): void => undefined;
    const offA = hub.on('resources:snapshot', a);
    hub.on('resources:snapshot', a); // the same listener again: no change
    const offB = hub.on('resources:snapshot', () => undefined);
    hub.on('chat:event', () => undefined); // another event: not this watcher's
    offA();
    offA();
    offB();
    expect(seen).toEqual([1, 2, 1, 0]);
  });
});

describe('dashboard ticker', () => {
  it('ticks only while someone listens to resources:snapshot, and resumes on subscribe', async () => {
    engine = await tempEngine();
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const hub = new EventHub();
    const ticks = vi.spyOn(engine.rm, 'tick');
    startDashboardTicker(engine.rm, hub, 1000);

    vi.advanceTimersByTime(10_000);
    expect(ticks).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);

    const got: unknown[] = [];
    const off = hub.on('resources:snapshot', (s) => got.push(s));
    vi.advanceTimersByTime(3_000);
    expect(got).toHaveLength(3);

    off();
    vi.advanceTimersByTime(5_000);
    expect(got).toHaveLength(3);
    expect(vi.getTimerCount()).toBe(0);

    hub.on('resources:snapshot', (s) => got.push(s));
    vi.advanceTimersByTime(2_000);
    expect(got).toHaveLength(5);
    expect(ticks).toHaveBeenCalledTimes(5);
  });

  it('stops for good at shutdown, even with a listener', async () => {
    engine = await tempEngine();
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const hub = new EventHub();
    startDashboardTicker(engine.rm, hub, 1000);
    hub.on('resources:snapshot', () => undefined);
    expect(vi.getTimerCount()).toBe(1);
    await engine.rm.shutdown();
    expect(vi.getTimerCount()).toBe(0);
    hub.on('resources:snapshot', () => undefined);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('the first snapshot after a quiet spell shows the last second’s requests, though nothing ticked while they ran', async () => {
    server = await startCountingServer();
    engine = await tempEngine();
    const hub = new EventHub();
    startDashboardTicker(engine.rm, hub, 1000);
    const second = Math.ceil(Date.now() / 1000) * 1000;
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'], now: second - 5_000 });
    // Requests long ago, then three in one second, all with nobody watching.
    for (let i = 0; i < 2; i++) await (await request(`${server.url}/old`, { dispatcher: engine.rm.httpClient() })).body.text();
    vi.setSystemTime(second + 100);
    for (let i = 0; i < 3; i++) await (await request(`${server.url}/new`, { dispatcher: engine.rm.httpClient() })).body.text();

    vi.setSystemTime(second + 500);
    const got: ResourceSnapshot[] = [];
    hub.on('resources:snapshot', (s) => got.push(expandSnapshot(s)));
    vi.advanceTimersByTime(1_000); // the tick at second + 1.5 s
    expect(got).toHaveLength(1);
    const origin = got[0]!.origins.find((o) => o.origin === server!.url)!;
    expect(origin).toMatchObject({ requests: 5, rps: 3 });
    expect(origin.windowMs.p50).toBeGreaterThan(0);
    vi.advanceTimersByTime(1_000);
    expect(got[1]!.origins.find((o) => o.origin === server!.url)).toMatchObject({ requests: 5, rps: 0 });
  });
});
