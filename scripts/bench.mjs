#!/usr/bin/env node
// `npm run bench [-- --quick] [-- --only=request,config]`: the benchmarks
// (bench/run.ts, TypeScript through tsx). Each section runs in its own
// process with --expose-gc; the table goes to stdout and bench/results/.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.argv.includes('--quick');
// A hard bound on the whole run, beyond run.ts's own per-section bounds (the
// window and attachments sections drive a browser at a person's pace).
const LIMIT_MS = quick ? 600_000 : 45 * 60_000;

const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(root, 'bench/run.ts'), ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
const timer = setTimeout(() => {
  console.error(`bench: still running after ${LIMIT_MS / 1000} s, stopping it`);
  child.kill('SIGKILL');
}, LIMIT_MS);
child.on('exit', (code, signal) => {
  clearTimeout(timer);
  process.exit(code ?? (signal ? 1 : 0));
});
