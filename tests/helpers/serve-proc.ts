import { spawn, type ChildProcessByStdio } from 'node:child_process';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

// import.meta.url, not __dirname: the bench loads this as an ES module too.
const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * `npm run serve` as a person runs it (scripts/serve.mjs, a process of its
 * own), on a free port, its .env and data folder inside `dir`, and no
 * environment from this machine beyond PATH. `nodeArgs` go before the script
 * (a preload that injects a fault). `script`: another entry of the same host
 * (the bench runs a bundle of its own).
 */
export function spawnServe(
  dir: string,
  key: string,
  nodeArgs: readonly string[] = [],
  script = 'scripts/serve.mjs',
): ChildProcessByStdio<null, Readable, Readable> {
  return spawn(process.execPath, [...nodeArgs, script], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOME: dir,
      VEGA_ENV_FILE: path.join(dir, '.env'),
      VEGA_DATA_DIR: path.join(dir, 'data'),
      VEGA_API_KEY: key,
      VEGA_PORT: '0',
      BROWSER: 'none',
      NO_COLOR: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
