import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Build once if any of `outputs` (paths under the project) is missing, or the
 * sources are newer than the last build. A lock folder keeps the browser and
 * Electron fixtures, and parallel workers, from building at the same time.
 */
export function buildOnce(outputs: readonly string[]): void {
  const files = outputs.map((p) => path.join(ROOT, p));
  const lock = path.join(ROOT, 'out/.e2e-build-lock');
  mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another worker builds; a lock older than the deadline is stale.
      if (Date.now() > deadline || Date.now() - statSync(lock).mtimeMs > 180_000) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      spawnSync(process.execPath, ['-e', 'setTimeout(()=>{},250)']);
    }
  }
  try {
    const args = files.every((f) => existsSync(f)) ? ['scripts/build.mjs', '--if-stale', '--quiet'] : ['scripts/build.mjs', '--quiet'];
    const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', timeout: 170_000 });
    if (r.status !== 0) throw new Error(`Build failed:\n${r.stdout}\n${r.stderr}`);
    for (const f of files) if (!existsSync(f)) throw new Error(`${f} is missing after the build`);
  } finally {
    rmdirSync(lock);
  }
}
