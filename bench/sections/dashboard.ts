/**
 * 3. Dashboard pipeline: build one snapshot and JSON.stringify it (what the
 * host does for each connected window every second) with 20 origins that
 * carry traffic; its size; the CPU the 1 Hz tick costs the main thread; and
 * an idle web host (no window, no requests) against the same host with one
 * window watching, each in its own process.
 */
import { request } from 'undici';
import { compactSnapshot } from '../../src-shared/resources.js';
import type { ResourceManager } from '../../src-main/engine/index.js';
import { tempEngine } from '../../tests/helpers/engine.js';
import { idleServe } from '../lib/idle-serve.js';
import { RemoteServers } from '../lib/remote.js';
import { fmtBytes, fmtMs, median, percentile, round, sleep } from '../lib/stats.js';
import { check, checkReps, info, type BenchOptions, type Row, type SectionResult } from '../lib/types.js';

const ORIGINS = 20;
/** Issue 16's measure of an idle host before the tick followed its listeners: % of a core. */
const IDLE_BEFORE = 0.9;
const IDLE_TARGET = 0.2;

async function traffic(rm: ResourceManager, urls: string[], perOrigin: number): Promise<void> {
  const d = rm.httpClient();
  await Promise.all(
    urls.map(async (u) => {
      for (let i = 0; i < perOrigin; i++) {
        const r = await request(`${u}/api/chat`, { dispatcher: d, method: 'POST', body: '{"a":1}' });
        await r.body.text();
      }
    }),
  );
}

function timeUs(fn: () => unknown): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1000;
}

export async function run(opts: BenchOptions): Promise<SectionResult> {
  const q = opts.quick;
  const remote = await RemoteServers.start();
  const engine = await tempEngine({ http: { maxConnections: 100 } });
  const { rm } = engine;
  try {
    const servers = await remote.listen(false, ORIGINS);
    const urls = servers.map((s) => s.url);
    await traffic(rm, urls, 50);

    // The snapshot a window receives after a busy second, in its wire form
    // (origins as columns), as the app's ticker sends it.
    const snap = rm.tick();
    const wire = compactSnapshot(snap);
    const bytes = Buffer.byteLength(JSON.stringify(wire));
    const frameBytes = Buffer.byteLength(JSON.stringify({ event: 'resources:snapshot', payload: wire }));
    const withoutOrigins = Buffer.byteLength(JSON.stringify(compactSnapshot({ ...snap, origins: [] })));
    const originBytes = [(bytes - withoutOrigins) / Math.max(1, snap.origins.length)];
    const rowBytes = Buffer.byteLength(JSON.stringify(snap));

    // Build + stringify, repeated (the windows keep the busy second's figures).
    const n = q ? 500 : 5_000;
    for (let i = 0; i < n / 5; i++) JSON.stringify(compactSnapshot(rm.snapshot()));
    const buildUs: number[] = [];
    const buildEnd = performance.now() + 10_000;
    for (let i = 0; i < n && performance.now() < buildEnd; i++) buildUs.push(timeUs(() => JSON.stringify(compactSnapshot(rm.snapshot()))));

    // The full tick (roll the windows, build, reset the loop-delay histogram) with traffic in every window.
    const tickN = q ? 30 : 200;
    const tickUs: number[] = [];
    const tickEnd = performance.now() + 15_000;
    for (let i = 0; i < tickN && performance.now() < tickEnd; i++) {
      await traffic(rm, urls, 1);
      tickUs.push(timeUs(() => JSON.stringify(compactSnapshot(rm.tick()))));
    }

    // 1 Hz for a while, as the app's ticker runs, with a trickle of traffic on
    // every origin between ticks. CPU is read around each tick's work.
    const seconds = q ? 3 : 10;
    let tickCpuUs = 0;
    let ticks = 0;
    /** Each tick's CPU as a share of its second, % of a core: the reps of the 1 Hz row. */
    const tickPercents: number[] = [];
    const tickWallUs: number[] = [];
    const wall0 = performance.now();
    const proc0 = process.cpuUsage();
    const timer = setInterval(() => {
      const c0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      JSON.stringify(compactSnapshot(rm.tick()));
      tickWallUs.push(Number(process.hrtime.bigint() - t0) / 1000);
      const c = process.cpuUsage(c0);
      tickCpuUs += c.user + c.system;
      tickPercents.push((c.user + c.system) / 1e4);
      ticks++;
    }, 1000);
    for (let s = 0; s < seconds; s++) {
      await sleep(500);
      await traffic(rm, urls, 1);
      await sleep(500);
    }
    await sleep(50);
    clearInterval(timer);
    const wallS = (performance.now() - wall0) / 1000;
    const proc = process.cpuUsage(proc0);
    const tickShare = (tickCpuUs / 1e6 / wallS) * 100;
    const procShare = ((proc.user + proc.system) / 1e6 / wallS) * 100;

    const spanS = q ? 2 : 15;
    const host = await idleServe(3, spanS);
    const figures = {
      idleHostCpuPercent: host.idle.map((x) => round(x, 4)),
      watchedHostCpuPercent: host.watched.map((x) => round(x, 4)),
      origins: snap.origins.length,
      snapshotBytes: bytes,
      wsFrameBytes: frameBytes,
      bytesPerOrigin: round(median(originBytes), 0),
      bytesWithoutOrigins: withoutOrigins,
      bytesAsRows: rowBytes,
      buildStringifyUs: { p50: round(median(buildUs), 1), p99: round(percentile(buildUs, 0.99), 1), n: buildUs.length },
      tickStringifyWithTrafficUs: { p50: round(median(tickUs), 1), p99: round(percentile(tickUs, 0.99), 1), n: tickUs.length },
      oneHz: {
        seconds: round(wallS, 2),
        ticks,
        tickCpuUs: round(tickCpuUs, 0),
        tickCpuPercentOfCore: round(tickShare, 4),
        tickWallUsP50: round(median(tickWallUs), 1),
        processCpuPercentOfCoreInclTraffic: round(procShare, 3),
      },
    };
    // The builds in 5 consecutive runs, the p50 of each a rep.
    const runs = Array.from({ length: 5 }, (_, i) => median(buildUs.slice((i * buildUs.length) / 5, ((i + 1) * buildUs.length) / 5)));
    const pct = (n: number): string => `${round(n, 3)}%`;
    const ms = (us: number): string => fmtMs(us / 1000);
    const rows: Row[] = [
      checkReps(`dashboard · snapshot build + JSON.stringify (${snap.origins.length} origins), p50 of 5 runs`, runs, 1000, '<=', ms, {
        detail: `p99 over all ${fmtMs(percentile(buildUs, 0.99) / 1000)}`,
      }),
      info(
        'dashboard · tick() + JSON.stringify with traffic in every window, p50',
        `${fmtMs(median(tickUs) / 1000)} (p99 ${fmtMs(percentile(tickUs, 0.99) / 1000)})`,
      ),
      check(
        `dashboard · snapshot size (${snap.origins.length} origins)`,
        `${fmtBytes(bytes)} (${bytes} B; ${figures.bytesPerOrigin} B per origin, ${withoutOrigins} B without origins; ${rowBytes} B as rows)`,
        '≤ 4 KB',
        bytes <= 4096,
      ),
      checkReps(`dashboard · main-thread CPU at 1 Hz (${ticks} ticks over ${round(wallS, 1)} s), per tick`, tickPercents, 1, '<=', pct, {
        targetText: '≤ 1% of a core',
        detail: `of a core; ${round(tickShare, 3)}% over the whole span`,
      }),
      info('dashboard · whole process over that window, incl. the trickle of requests', `${round(procShare, 2)}% of a core`),
      checkReps(
        `dashboard · idle \`npm run serve\` (built web host, no window, no requests; ${host.idle.length} × ${spanS} s)`,
        host.idle,
        IDLE_TARGET,
        '<=',
        pct,
        {
          targetText: `≤ ${IDLE_TARGET}% of a core`,
          detail: `of a core; issue 16's before: ${IDLE_BEFORE}%`,
        },
      ),
      info(
        'dashboard · the same host with one window connected (snapshots every second)',
        `${pct(median(host.watched))} of a core (${pct(Math.min(...host.watched))}–${pct(Math.max(...host.watched))}, ${host.snapshots} snapshots received)`,
      ),
    ];
    const notes: string[] = [];
    if (bytes > 4096) {
      const fit = Math.floor((4096 - withoutOrigins) / Math.max(1, figures.bytesPerOrigin));
      notes.push(
        `dashboard: a snapshot with ${snap.origins.length} origins is ${bytes} B: ${withoutOrigins} B of manager/cache/LLM/process figures plus ~${figures.bytesPerOrigin} B per origin in column form, so only ~${fit} origins fit in 4 KB.`,
      );
    }
    return { name: 'dashboard', figures, rows, notes };
  } finally {
    await engine.dispose();
    await remote.close();
  }
}
