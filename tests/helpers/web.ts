import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createVegaApp, type VegaApp, type VegaAppOptions } from '../../src-main/app/create-app.js';
import { startWebHost, type WebHost } from '../../src-main/web/host.js';

export interface TempWebHost {
  readonly app: VegaApp;
  readonly host: WebHost;
  readonly dir: string;
  readonly key: string;
  dispose(): Promise<void>;
}

/** The web host in-process on a free loopback port, over a temp data dir and .env. */
export async function tempWebHost(
  envText = '',
  opts: {
    staticDir?: string;
    tickMs?: number;
    heartbeatMs?: number;
    attachments?: VegaAppOptions['attachments'];
    /** An existing folder (a restart over the same data): kept at dispose, for the caller to remove. */
    dir?: string;
  } = {},
): Promise<TempWebHost> {
  const dir = opts.dir ?? mkdtempSync(path.join(os.tmpdir(), 'vega-web-'));
  const envFile = path.join(dir, '.env');
  const key = 'test-key-0123456789';
  writeFileSync(envFile, `VEGA_API_KEY=${key}\n${envText}`);
  const app = await createVegaApp({
    host: 'web',
    envFile,
    env: { VEGA_DATA_DIR: path.join(dir, 'data') },
    tickMs: opts.tickMs,
    attachments: opts.attachments,
  });
  const host = await startWebHost({ app, port: 0, host: '127.0.0.1', staticDir: opts.staticDir, heartbeatMs: opts.heartbeatMs });
  return {
    app,
    host,
    dir,
    key,
    async dispose() {
      await host.close();
      await app.rm.shutdown();
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
