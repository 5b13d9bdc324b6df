/**
 * One section in its own process (fresh heap, its own sockets, nothing left
 * over from the section before): `section.ts <name> <result.json> [--quick]`.
 * Spawned by run.ts with --expose-gc.
 */
import { writeFileSync } from 'node:fs';
import type { BenchOptions, SectionResult } from './lib/types.js';

const SECTIONS: Record<string, () => Promise<{ run(o: BenchOptions): Promise<SectionResult> }>> = {
  request: () => import('./sections/request.js'),
  config: () => import('./sections/config.js'),
  dashboard: () => import('./sections/dashboard.js'),
  shutdown: () => import('./sections/shutdown.js'),
  streaming: () => import('./sections/streaming.js'),
  soak: () => import('./sections/soak.js'),
  metrics: () => import('./sections/metrics.js'),
  mcp: () => import('./sections/mcp.js'),
  pulls: () => import('./sections/pulls.js'),
  'openai-door': () => import('./sections/openai-door.js'),
  fleet: () => import('./sections/fleet.js'),
  window: () => import('./sections/window.js'),
  attachments: () => import('./sections/attachments.js'),
};

const [name, out] = process.argv.slice(2);
const quick = process.argv.includes('--quick');
const tlsDir = process.env.VEGA_BENCH_TLS_DIR ?? '';

async function main(): Promise<void> {
  const load = name ? SECTIONS[name] : undefined;
  if (!load || !out) throw new Error(`usage: section.ts <${Object.keys(SECTIONS).join('|')}> <result.json> [--quick]`);
  const mod = await load();
  const result = await mod.run({ quick, tlsDir });
  writeFileSync(out, JSON.stringify(result));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`bench section ${name} failed:`, err);
    process.exit(1);
  },
);
