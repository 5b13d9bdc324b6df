import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ResourceManager, type ResourceManagerOptions } from '../../src-main/engine/index.js';

export interface TempEngine {
  readonly rm: ResourceManager;
  readonly dir: string;
  readonly envFile: string;
  dispose(): Promise<void>;
}

/** A ResourceManager over a fresh temp folder (data dir and .env), isolated from the real environment. */
export async function tempEngine(opts: ResourceManagerOptions & { envText?: string } = {}): Promise<TempEngine> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vega-test-'));
  const envFile = path.join(dir, '.env');
  if (opts.envText !== undefined) (await import('node:fs')).writeFileSync(envFile, opts.envText);
  const rm = await ResourceManager.create({ envFile, env: { VEGA_DATA_DIR: path.join(dir, 'data') }, ...opts });
  return {
    rm,
    dir,
    envFile,
    async dispose() {
      await rm.shutdown();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
