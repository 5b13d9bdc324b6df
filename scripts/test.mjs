#!/usr/bin/env node
// `npm test`: every runner, then one line summing them all:
// "N passed, N failed, N skipped". Exits non-zero if anything failed.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const results = path.join(root, 'test-results');
mkdirSync(results, { recursive: true });
const only = process.argv.slice(2); // e.g. `npm test -- unit`

function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status ?? 1;
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

function firstLine(text = '') {
  return text.split('\n')[0].trim();
}

const totals = { passed: 0, failed: 0, skipped: 0 };
let crashed = [];

if (!only.length || only.includes('unit')) {
  const out = path.join(results, 'vitest.json');
  const unhandledOut = path.join(results, 'vitest-unhandled.json');
  rmSync(out, { force: true });
  rmSync(unhandledOut, { force: true });
  // Both vitest projects (unit, then reliability) run in this one call and land in one report.
  const code = run(
    'npx',
    ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile=${out}`, '--reporter=./scripts/vitest-unhandled.mjs'],
    {
      VEGA_VITEST_UNHANDLED: unhandledOut,
    },
  );
  const j = readJson(out);
  if (!j) crashed.push(`vitest (exit ${code}, no report)`);
  else {
    totals.passed += j.numPassedTests;
    totals.failed += j.numFailedTests;
    totals.skipped += (j.numPendingTests ?? 0) + (j.numTodoTests ?? 0);
    // A file that fails to load, or whose hooks throw, counts no failed test but fails the run.
    for (const f of j.testResults ?? []) {
      if (f.status === 'failed' && !f.assertionResults.some((a) => a.status === 'failed')) {
        crashed.push(`vitest: ${path.relative(root, f.name)} failed outside its tests: ${firstLine(f.message) || 'see above'}`);
      }
    }
    // So does an error no test caught.
    for (const e of readJson(unhandledOut)?.errors ?? []) {
      crashed.push(`vitest: unhandled error${e.file ? ` from ${e.file}${e.test ? ` › ${e.test}` : ''}` : ''}: ${firstLine(e.message)}`);
    }
    if (code !== 0 && j.numFailedTests === 0 && !crashed.length) crashed.push(`vitest (exit ${code})`);
  }
}

if (!only.length || only.includes('e2e')) {
  if (run('node', ['scripts/build.mjs', '--if-stale', '--quiet']) !== 0) crashed.push('build for e2e');
  else {
    const out = path.join(results, 'playwright.json');
    rmSync(out, { force: true });
    const code = run('npx', ['playwright', 'test'], { PLAYWRIGHT_JSON_OUTPUT_NAME: out });
    const j = readJson(out);
    if (!j) crashed.push(`playwright (exit ${code}, no report)`);
    else {
      totals.passed += (j.stats?.expected ?? 0) + (j.stats?.flaky ?? 0);
      totals.failed += j.stats?.unexpected ?? 0;
      totals.skipped += j.stats?.skipped ?? 0;
      if (code !== 0 && !(j.stats?.unexpected > 0)) crashed.push(`playwright (exit ${code})`);
    }
  }
}

for (const c of crashed) console.error(`Runner failed: ${c}`);
console.log(`\n${totals.passed} passed, ${totals.failed + crashed.length} failed, ${totals.skipped} skipped`);
process.exit(totals.failed || crashed.length ? 1 : 0);
