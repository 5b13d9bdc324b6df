/**
 * 9. Model pulls: the Ollama stand-in (another process) streams /api/pull at
 * 10 000 progress lines a second. Through the pull queue, the event hub and
 * the web host to a WebSocket client of the contract: how many progress
 * events come out (the target is at most one per 100 ms) and what this
 * process's CPU spends on it; against reading the same stream directly
 * (undici Pool, one JSON.parse per line), the floor.
 */
import { Pool } from 'undici';
import { pullFinished, type PullProgress } from '../../src-shared/models.js';
import { connectApi } from '../../tests/helpers/ws-client.js';
import { startApp } from '../lib/app.js';
import { RemoteServers } from '../lib/remote.js';
import { fmtRate, median, round, waitFor } from '../lib/stats.js';
import { check, info, type BenchOptions, type SectionResult } from '../lib/types.js';

const RATE = 10_000;

interface Run {
  readonly lines: number;
  readonly ms: number;
  /** This process's CPU (user + system) over the run, ms. */
  readonly cpuMs: number;
}

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

async function direct(pool: Pool, name: string): Promise<Run> {
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const res = await pool.request({
    path: '/api/pull',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: name, stream: true }),
  });
  let buf = '';
  let lines = 0;
  for await (const chunk of res.body) {
    buf += (chunk as Buffer).toString('utf8');
    let nl: number;
    while ((nl = buf.indexOf('\n')) !== -1) {
      JSON.parse(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
      lines++;
    }
  }
  return { lines, ms: performance.now() - t0, cpuMs: cpuMsSince(cpu) };
}

interface VegaRun extends Run {
  readonly events: number;
  /** Smallest time between two events at the client, ms. */
  readonly minGapMs: number;
  readonly final: PullProgress | undefined;
}

async function viaVega(
  client: Awaited<ReturnType<typeof connectApi>>,
  name: string,
  linesIn: () => Promise<number>,
  timeoutMs: number,
): Promise<VegaRun> {
  const at: number[] = [];
  let final: PullProgress | undefined;
  const off = client.api.models.onProgress((p) => {
    if (p.name !== name) return;
    at.push(performance.now());
    if (pullFinished(p.state)) final = p;
  });
  const before = await linesIn();
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  try {
    await client.api.models.pull({ name });
    await waitFor(() => final !== undefined, timeoutMs);
  } finally {
    off();
  }
  const ms = performance.now() - t0;
  const cpuMs = cpuMsSince(cpu);
  const gaps = at.slice(1).map((t, i) => t - at[i]!);
  return { lines: (await linesIn()) - before, ms, cpuMs, events: at.length, minGapMs: gaps.length ? Math.min(...gaps) : NaN, final };
}

export async function run(opts: BenchOptions): Promise<SectionResult> {
  const seconds = opts.quick ? 1 : 5;
  const runs = opts.quick ? 1 : 3;
  const lines = RATE * seconds;
  const remote = await RemoteServers.start();
  const figures: Record<string, unknown> = { linesPerSecondAsked: RATE, seconds, runs };
  const notes: string[] = [];
  let b: Awaited<ReturnType<typeof startApp>> | undefined;
  let client: Awaited<ReturnType<typeof connectApi>> | undefined;
  let pool: Pool | undefined;
  try {
    const ollama = await remote.call<{ id: number; url: string }>({ op: 'ollama', tokens: 10 });
    await remote.call({ op: 'ollamaPull', lines, linesPerSecond: RATE });
    b = await startApp(ollama.url);
    client = await connectApi(b.host.url, b.host.apiKey);
    pool = new Pool(ollama.url, { connections: 1, headersTimeout: 30_000, bodyTimeout: 30_000 });
    const linesIn = () => remote.call<number>({ op: 'pullLinesWritten' });

    const d: Run[] = [];
    const v: VegaRun[] = [];
    for (let r = 0; r < runs; r++) {
      // Each run pulls a name of its own: the stand-in resumes a name it has seen.
      d.push(await direct(pool, `bench-direct-${r}:10g`));
      v.push(await viaVega(client, `bench-vega-${r}:10g`, linesIn, seconds * 1000 * 4 + 10_000));
    }
    const failed = v.find((x) => x.final?.state !== 'done');
    if (failed)
      notes.push(
        `pulls: a pull through Vega ended ${failed.final?.state ?? 'without a final event'}${failed.final?.error ? `: ${failed.final.error.message}` : ''}.`,
      );

    const lineRate = median(v.map((x) => (x.lines / x.ms) * 1000));
    const eventRate = median(v.map((x) => (x.events / x.ms) * 1000));
    const events = median(v.map((x) => x.events));
    const allowed = median(v.map((x) => Math.ceil(x.ms / 100) + 1));
    const minGap = Math.min(...v.map((x) => x.minGapMs));
    const cpuVega = median(v.map((x) => (x.cpuMs / x.ms) * 100));
    const cpuDirect = median(d.map((x) => (x.cpuMs / x.ms) * 100));
    const directRate = median(d.map((x) => (x.lines / x.ms) * 1000));
    Object.assign(figures, {
      vega: {
        linesPerSecond: round(lineRate, 0),
        eventsPerSecond: round(eventRate, 2),
        events,
        eventsAllowed: allowed,
        minGapMs: round(minGap, 1),
        cpuPercent: round(cpuVega, 1),
        runs: v.map(({ final: _f, ...x }) => x),
      },
      direct: { linesPerSecond: round(directRate, 0), cpuPercent: round(cpuDirect, 1), runs: d },
    });
    // Each event is emitted at least 100 ms after the one before; a frame may reach the client a little early after a late one.
    const met = events <= allowed && eventRate <= 10.5 && !failed;
    return {
      name: 'pulls',
      figures,
      rows: [
        check(
          `pulls · ${fmtRate(lineRate)} progress lines/s in (stand-in → pull queue → web host → WebSocket client), events out`,
          `${round(eventRate, 1)} events/s (${events} events in ${round(median(v.map((x) => x.ms)) / 1000, 1)} s; closest two ${round(minGap, 0)} ms apart at the client)`,
          '≤ 1 event per 100 ms',
          met,
        ),
        info(
          'pulls · CPU of this process at 10 000 lines/s, through Vega / read directly',
          `${round(cpuVega, 1)} % / ${round(cpuDirect, 1)} % of one core (direct read: ${fmtRate(directRate)} lines/s)`,
        ),
      ],
      notes,
    };
  } finally {
    await client?.close();
    await pool?.close();
    await b?.close();
    await remote.close();
  }
}
