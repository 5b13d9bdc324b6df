/**
 * 7. Metrics: what being scraped costs the web host. Prometheus scrapes every
 * few seconds; here GET /metrics is asked 100 times a second for 10 s (3 s
 * quick), and the host's own CPU (its process, apart from the client) is
 * compared with the same span idle. The other side: a plain Node HTTP server
 * answering "ok" at the same rate, the floor of any answer on this machine.
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { cpuShare } from '../lib/child-cpu.js';
import { round } from '../lib/stats.js';
import { check, info, type BenchOptions, type SectionResult } from '../lib/types.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const RATE_PER_S = 100;
const TARGET_PERCENT = 5;

interface Paced {
  /** CPU of the answering process, percent of one core, idle and while asked. */
  readonly idle: number;
  readonly busy: number;
  readonly requests: number;
  readonly bytes: number;
}

/** Start the answering process, measure it idle for `seconds`, then asked RATE_PER_S times a second for as long. */
async function paced(kind: 'host' | 'bare', seconds: number): Promise<Paced> {
  const child = fork(path.join(here, '../lib/web-host-proc.ts'), kind === 'bare' ? ['bare'] : [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const { port, key } = await new Promise<{ port: number; key: string }>((resolve) => child.once('message', resolve));
  const agent = new Agent({ connections: 1 });
  const url = `http://127.0.0.1:${port}${kind === 'host' ? '/metrics' : '/'}`;
  let requests = 0;
  let bytes = 0;
  const ask = async () => {
    // As Prometheus asks: it sends Accept-Encoding: gzip (the bytes are counted as sent, not inflated).
    const res = await request(url, { dispatcher: agent, headers: { authorization: `Bearer ${key}`, 'accept-encoding': 'gzip' } });
    if (res.statusCode !== 200) throw new Error(`${url} answered ${res.statusCode}`);
    bytes = (await res.body.arrayBuffer()).byteLength;
    requests++;
  };
  try {
    for (let i = 0; i < 20; i++) await ask();
    const idle = await cpuShare(child, seconds, (until) => sleep(until - performance.now()));
    requests = 0;
    const busy = await cpuShare(child, seconds, async (until) => {
      // Paced, not flooded: one request every 10 ms, on one kept-alive connection.
      const start = performance.now();
      for (let i = 0; ; i++) {
        const slot = start + (i * 1000) / RATE_PER_S;
        if (slot >= until) break;
        if (slot > performance.now()) await sleep(slot - performance.now());
        await ask();
      }
    });
    return { idle, busy, requests, bytes };
  } finally {
    await agent.close();
    child.send('close');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

export async function run(o: BenchOptions): Promise<SectionResult> {
  const seconds = o.quick ? 3 : 10;
  const host = await paced('host', seconds);
  const bare = await paced('bare', seconds);
  const cost = host.busy - host.idle;
  const floor = bare.busy - bare.idle;
  const rate = host.requests / seconds;
  return {
    name: 'metrics',
    figures: {
      seconds,
      scrapes: host.requests,
      scrapesPerSecond: round(rate, 1),
      exposureBytes: host.bytes,
      hostCpuPercentIdle: round(host.idle, 2),
      hostCpuPercentScraped: round(host.busy, 2),
      scrapeCostPercentOfCore: round(cost, 2),
      bareHttpCostPercentOfCore: round(floor, 2),
    },
    rows: [
      check(
        `metrics · GET /metrics at ${round(rate, 0)}/s for ${seconds} s, host CPU`,
        `${round(cost, 2)}% of a core (plain Node HTTP "ok" at the same rate: ${round(floor, 2)}%)`,
        `< ${TARGET_PERCENT}% of a core`,
        cost < TARGET_PERCENT,
      ),
      info('metrics · exposition size on the wire (gzip, as Prometheus asks)', `${host.bytes} bytes`),
    ],
    notes: [
      'Scrapes within 1 s of a collection share its text (COLLECT_AT_MOST_EVERY_MS): at 100 scrapes a second the host collects once a second and answers the rest from those bytes.',
      "The plain server's figure is what answering 100 requests a second costs Node itself on this machine: the part of the host's figure no exporter can remove.",
    ],
  };
}
