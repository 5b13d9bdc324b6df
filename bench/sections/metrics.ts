/**
 * 7. Metrics: what being scraped costs the web host. Prometheus scrapes every
 * few seconds; here GET /metrics is asked 100 times a second for 10 s (3 s
 * quick), and the host's own CPU (its process, apart from the client) is
 * compared with the same span idle.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { round } from '../lib/stats.js';
import { check, info, type BenchOptions, type SectionResult } from '../lib/types.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const RATE_PER_S = 100;
const TARGET_PERCENT = 5;

type Cpu = { user: number; system: number };

function ask<T>(child: ChildProcess, msg: string, key: string): Promise<T> {
  return new Promise((resolve) => {
    const on = (m: Record<string, unknown>) => {
      if (!(key in m)) return;
      child.off('message', on);
      resolve(m[key] as T);
    };
    child.on('message', on);
    child.send(msg);
  });
}

async function cpuMs(child: ChildProcess): Promise<number> {
  const c = await ask<Cpu>(child, 'cpu', 'cpu');
  return (c.user + c.system) / 1000;
}

/** The host's CPU over `seconds`, as a percentage of one core, while `during` runs. */
async function share(child: ChildProcess, seconds: number, during: (untilMs: number) => Promise<void>): Promise<number> {
  const c0 = await cpuMs(child);
  const t0 = performance.now();
  await during(t0 + seconds * 1000);
  const c1 = await cpuMs(child);
  return ((c1 - c0) / (performance.now() - t0)) * 100;
}

export async function run(o: BenchOptions): Promise<SectionResult> {
  const seconds = o.quick ? 3 : 10;
  const child = fork(path.join(here, '../lib/web-host-proc.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const { port, key } = await new Promise<{ port: number; key: string }>((resolve) => child.once('message', resolve));
  const agent = new Agent({ connections: 1 });
  const url = `http://127.0.0.1:${port}/metrics`;
  let scrapes = 0;
  let bytes = 0;
  const scrape = async () => {
    const res = await request(url, { dispatcher: agent, headers: { authorization: `Bearer ${key}` } });
    if (res.statusCode !== 200) throw new Error(`GET /metrics answered ${res.statusCode}`);
    bytes = (await res.body.text()).length;
    scrapes++;
  };
  try {
    for (let i = 0; i < 20; i++) await scrape();
    const idle = await share(child, seconds, (until) => sleep(until - performance.now()));
    scrapes = 0;
    const busy = await share(child, seconds, async (until) => {
      // Paced, not flooded: one scrape every 10 ms, on one kept-alive connection.
      const start = performance.now();
      for (let i = 0; ; i++) {
        const slot = start + (i * 1000) / RATE_PER_S;
        if (slot >= until) break;
        if (slot > performance.now()) await sleep(slot - performance.now());
        await scrape();
      }
    });
    const cost = busy - idle;
    const rate = scrapes / seconds;
    return {
      name: 'metrics',
      figures: { seconds, scrapes, scrapesPerSecond: round(rate, 1), exposureBytes: bytes, hostCpuPercentIdle: round(idle, 2), hostCpuPercentScraped: round(busy, 2), scrapeCostPercentOfCore: round(cost, 2) },
      rows: [
        check(`metrics · GET /metrics at ${round(rate, 0)}/s for ${seconds} s`, `${round(cost, 2)}% of a core (host ${round(busy, 2)}% scraped, ${round(idle, 2)}% idle)`, `< ${TARGET_PERCENT}% of a core`, cost < TARGET_PERCENT),
        info('metrics · exposition size', `${bytes} bytes`),
      ],
      notes: ['Scrapes within 1 s of a collection share its text (COLLECT_AT_MOST_EVERY_MS): at 100 scrapes a second the host collects once a second and answers the rest from that text.'],
    };
  } finally {
    await agent.close();
    child.send('close');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}
