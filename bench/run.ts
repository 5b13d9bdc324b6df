/**
 * `npm run bench [-- --quick] [-- --only=request,config]`: runs each section
 * in its own process (fresh heap and sockets), then prints one Markdown table
 * and writes bench/results/latest.{json,md}. Misses are reported, never
 * fatal; the exit code is non-zero only if a section crashed or timed out.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { selfSignedCert } from '../tests/helpers/servers.js';
import type { Row, SectionResult } from './lib/types.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ORDER = [
  'request',
  'config',
  'dashboard',
  'shutdown',
  'streaming',
  'soak',
  'metrics',
  'mcp',
  'pulls',
  'openai-door',
  'fleet',
  'window',
  'attachments',
] as const;
const TITLES: Record<(typeof ORDER)[number], string> = {
  request: '1. Request overhead',
  config: '2. Config access',
  dashboard: '3. Dashboard pipeline',
  streaming: '4. Streaming',
  shutdown: '5. Shutdown',
  soak: '6. Soak',
  metrics: '7. Metrics',
  mcp: '8. MCP',
  pulls: '9. Model pulls',
  'openai-door': '10. OpenAI-compatible API',
  fleet: '11. Fleet',
  window: '12. Window',
  attachments: '13. Attachments',
};

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyArg = args.find((a) => a.startsWith('--only='));
const only = onlyArg ? onlyArg.slice('--only='.length).split(',').filter(Boolean) : undefined;
const sections = ORDER.filter((s) => !only || only.includes(s));
// Bounds per section process: a quick run of the eleven sections stays within a few minutes.
const SECTION_TIMEOUT_MS = quick ? 45_000 : 300_000;
// The window section builds the window if stale, starts a browser and two hosts, and streams at a person's pace
// (a 2,000-token answer at 100 tokens/s; a 5-minute dashboard window in the full run): it keeps its own
// budget inside these wider bounds, so that it always closes its browser and hosts itself.
const SECTION_TIMEOUTS_MS: Partial<Record<(typeof ORDER)[number], number>> = {
  window: quick ? 195_000 : 900_000,
  attachments: quick ? 120_000 : 600_000,
  // The idle `npm run serve` rows let the host settle, then measure it idle and watched.
  dashboard: quick ? 90_000 : 300_000,
};

function machine() {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m?.[1]) cpu = m[1].trim();
  } catch {
    // not Linux
  }
  return {
    cpu,
    cores: os.availableParallelism?.() ?? os.cpus().length,
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString(),
    loadAverageAtStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
    mode: quick ? 'quick' : 'full',
  };
}

interface Outcome {
  readonly name: string;
  readonly status: 'ok' | 'crashed' | 'timed out';
  readonly seconds: number;
  readonly result?: SectionResult;
  readonly error?: string;
}

function runSection(name: string, tlsDir: string, outDir: string): Promise<Outcome> {
  const out = path.join(outDir, `${name}.json`);
  const started = performance.now();
  const timeoutMs = SECTION_TIMEOUTS_MS[name as (typeof ORDER)[number]] ?? SECTION_TIMEOUT_MS;
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', path.join(root, 'bench/section.ts'), name, out, ...(quick ? ['--quick'] : [])],
      {
        cwd: root,
        // The section's own output goes to stderr: stdout carries only the table.
        stdio: ['ignore', 2, 2],
        env: { ...process.env, VEGA_BENCH_TLS_DIR: tlsDir, NODE_EXTRA_CA_CERTS: path.join(tlsDir, 'cert.pem') },
      },
    );
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const seconds = Math.round((performance.now() - started) / 100) / 10;
      if (timedOut) return resolve({ name, status: 'timed out', seconds, error: `killed after ${timeoutMs / 1000} s` });
      try {
        if (code !== 0) throw new Error(`exit code ${code}`);
        resolve({ name, status: 'ok', seconds, result: JSON.parse(readFileSync(out, 'utf8')) as SectionResult });
      } catch (err) {
        resolve({ name, status: 'crashed', seconds, error: err instanceof Error ? err.message : String(err) });
      }
    });
  });
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function metCell(r: Row): string {
  if (r.met === null) return '—';
  if (r.withinNoise) return `within noise (median ${r.met ? 'met' : 'missed'})`;
  return r.met ? 'met' : '**not met**';
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const m = machine();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'vega-bench-run-'));
  const tlsDir = path.join(tmp, 'tls');
  mkdirSync(tlsDir);
  const outcomes: Outcome[] = [];
  try {
    // A fresh self-signed certificate for 127.0.0.1; global fetch trusts it through NODE_EXTRA_CA_CERTS.
    const pems = await selfSignedCert();
    writeFileSync(path.join(tlsDir, 'key.pem'), pems.key);
    writeFileSync(path.join(tlsDir, 'cert.pem'), pems.cert);
    for (const name of sections) {
      process.stderr.write(`bench: ${TITLES[name]} …\n`);
      const o = await runSection(name, tlsDir, tmp);
      process.stderr.write(`bench: ${TITLES[name]}: ${o.status} in ${o.seconds} s${o.error ? ` (${o.error})` : ''}\n`);
      outcomes.push(o);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }

  const rows: Row[] = [];
  const notes: string[] = [];
  for (const o of outcomes) {
    if (o.result) {
      rows.push(...o.result.rows);
      notes.push(...(o.result.notes ?? []));
    } else {
      rows.push({
        benchmark: `${TITLES[o.name as (typeof ORDER)[number]]}`,
        figure: `section ${o.status}: ${o.error ?? ''}`,
        target: '—',
        met: null,
      });
    }
  }
  const checked = rows.filter((r) => r.met !== null);
  const met = checked.filter((r) => r.met && !r.withinNoise).length;
  const noisy = checked.filter((r) => r.withinNoise).length;
  const seconds = Math.round((performance.now() - t0) / 100) / 10;

  const md: string[] = [];
  md.push(`# Vega benchmarks (${quick ? 'quick' : 'full'} run)`);
  md.push('');
  md.push(`- Machine: ${m.cpu}, ${m.cores} cores, ${m.platform}`);
  md.push(`- Node ${m.node}; ${m.date}; load average at start ${m.loadAverageAtStart.join(' / ')}`);
  md.push(
    `- Took ${seconds} s. ${met} of ${checked.length} targets met${noisy ? `, ${noisy} within noise` : ''}.${quick ? ' Quick run: short rounds, figures are indicative only.' : ''}`,
  );
  md.push('');
  md.push('| benchmark | figure | target | met |');
  md.push('|---|---|---|---|');
  for (const r of rows) md.push(`| ${cell(r.benchmark)} | ${cell(r.figure)} | ${cell(r.target)} | ${metCell(r)} |`);
  if (notes.length) {
    md.push('');
    md.push('## Notes');
    md.push('');
    for (const n of notes) md.push(`- ${n}`);
  }
  const text = md.join('\n') + '\n';

  const resultsDir = path.join(root, 'bench/results');
  mkdirSync(resultsDir, { recursive: true });
  const json = {
    machine: m,
    seconds,
    targets: { met, withinNoise: noisy, checked: checked.length },
    sections: Object.fromEntries(
      outcomes.map((o) => [
        o.name,
        {
          status: o.status,
          seconds: o.seconds,
          error: o.error ?? null,
          figures: o.result?.figures ?? null,
          rows: o.result?.rows ?? [],
          notes: o.result?.notes ?? [],
        },
      ]),
    ),
    rows,
    notes,
  };
  writeFileSync(path.join(resultsDir, 'latest.json'), JSON.stringify(json, null, 2) + '\n');
  writeFileSync(path.join(resultsDir, 'latest.md'), text);
  process.stdout.write(text);
  process.exitCode = outcomes.every((o) => o.status === 'ok') ? 0 : 1;
}

main().catch((err: unknown) => {
  console.error('bench failed:', err);
  process.exitCode = 1;
});
