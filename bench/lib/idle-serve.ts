/**
 * `npm run serve` idle: the headless web host bundled as `npm run build`
 * bundles it (esbuild, into out/bench/, packages from node_modules) and run
 * by plain Node in its own process, with no window and no requests. Its CPU
 * is read from /proc/<pid>/task/<tid>/schedstat: nanoseconds on a CPU, every
 * thread, fine enough for a process that should barely wake up (/proc's
 * utime ticks are 10 ms).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import WebSocket from 'ws';
import { spawnServe } from '../../tests/helpers/serve-proc.js';
import { sleep } from './stats.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const KEY = 'bench-idle-key-0123456789';

function cpuNs(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return ns;
}

/** CPU % of one core over `seconds`. */
async function share(pid: number, seconds: number): Promise<number> {
  const c0 = cpuNs(pid);
  const t0 = performance.now();
  await sleep(seconds * 1000);
  return ((cpuNs(pid) - c0) / 1e6 / (performance.now() - t0)) * 100;
}

export interface IdleFigures {
  /** CPU % of a core per span, nobody watching. */
  readonly idle: number[];
  /** The same with one window's WebSocket connected (snapshots pushed each second). */
  readonly watched: number[];
  readonly snapshots: number;
}

export async function idleServe(reps: number, seconds: number): Promise<IdleFigures> {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  const outfile = path.join(root, 'out/bench/serve.mjs');
  await build({
    absWorkingDir: root,
    entryPoints: ['src-main/web/serve.ts'],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    logLevel: 'warning',
    define: { __VEGA_VERSION__: JSON.stringify(pkg.version) },
  });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vega-bench-idle-'));
  writeFileSync(path.join(dir, '.env'), 'OLLAMA_HOST=http://127.0.0.1:9\n');
  const child = spawnServe(dir, KEY, [], outfile);
  child.stderr.pipe(process.stderr);
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      const t = setTimeout(() => reject(new Error('the web host did not start in 30 s')), 30_000);
      child.stdout.on('data', (d: Buffer) => {
        out += String(d);
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m) {
          clearTimeout(t);
          resolve(m[1]!);
        }
      });
      child.once('exit', (code) => reject(new Error(`the web host exited (${code})`)));
    });
    child.stdout.resume();
    // Start-up work (JIT, the first disk measure, the model server probes) dies down over ~30 s here.
    await sleep(seconds >= 10 ? 30_000 : 3_000);
    const pid = child.pid!;
    const idle: number[] = [];
    for (let i = 0; i < reps; i++) idle.push(await share(pid, seconds));
    let snapshots = 0;
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws?token=${KEY}`);
    ws.on('message', (data: Buffer) => {
      if (String(data).includes('"resources:snapshot"')) snapshots++;
    });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    await sleep(1_500);
    const watched: number[] = [];
    for (let i = 0; i < reps; i++) watched.push(await share(pid, seconds));
    ws.close();
    return { idle, watched, snapshots };
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
}
