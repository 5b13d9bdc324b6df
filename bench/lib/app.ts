import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { VegaApp } from '../../src-main/app/create-app.js';
import type { WebHost } from '../../src-main/web/host.js';

export interface BenchApp {
  readonly app: VegaApp;
  readonly host: WebHost;
  readonly dir: string;
  /** Host first, then the engine, as the web entry point does. */
  close(): Promise<void>;
}

/** The web host over a temp data dir and .env, its Ollama pointed at `ollamaUrl`. Imported lazily: the chat module may not be built yet. */
export async function startApp(ollamaUrl: string, envText = ''): Promise<BenchApp> {
  const { createVegaApp } = await import('../../src-main/app/create-app.js');
  const { startWebHost } = await import('../../src-main/web/host.js');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vega-bench-'));
  const envFile = path.join(dir, '.env');
  writeFileSync(envFile, `VEGA_API_KEY=bench-key-0123456789\nOLLAMA_HOST=${ollamaUrl}\nVEGA_MODEL=llama3.2\n${envText}`);
  const app = await createVegaApp({ host: 'web', envFile, env: { VEGA_DATA_DIR: path.join(dir, 'data') } });
  const host = await startWebHost({ app, port: 0, host: '127.0.0.1' });
  let closing: Promise<void> | undefined;
  return {
    app,
    host,
    dir,
    close: () =>
      (closing ??= (async () => {
        await host.close();
        await app.rm.shutdown();
        rmSync(dir, { recursive: true, force: true });
      })()),
  };
}
