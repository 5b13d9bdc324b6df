/**
 * The web host as `npm run serve` runs it (the built out/web/serve.mjs in a
 * process of its own, serving the built window) for the window section. The
 * build is brought up to date first and copied, so that another build of
 * out/ during the run cannot empty the window under the browser.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface WindowHost {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly key: string;
  /** The address `npm run serve` prints: the window, signed in. */
  readonly appUrl: string;
  /** The host's process (its memory is read from /proc). */
  readonly pid: number;
  close(): Promise<void>;
}

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 8_000;
const BUILD_TIMEOUT_MS = 120_000;

/** Build what is stale, then copy the host and the window under out/ (where the host still finds node_modules). */
export function snapshotBuild(): { dir: string; remove(): void } {
  const built = spawnSync(process.execPath, ['scripts/build.mjs', '--if-stale', '--quiet'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: BUILD_TIMEOUT_MS,
  });
  if (built.status !== 0) throw new Error(`the build failed: ${built.error?.message ?? ''}\n${built.stdout}\n${built.stderr}`);
  mkdirSync(path.join(ROOT, 'out/bench'), { recursive: true });
  const dir = mkdtempSync(path.join(ROOT, 'out/bench/window-'));
  cpSync(path.join(ROOT, 'out/web'), path.join(dir, 'web'), { recursive: true });
  cpSync(path.join(ROOT, 'out/renderer'), path.join(dir, 'renderer'), { recursive: true });
  // The attachment worker the host starts from ../main beside its bundle (builds before attachments have none).
  const worker = path.join(ROOT, 'out/main/attachment-worker.mjs');
  if (existsSync(worker)) cpSync(worker, path.join(dir, 'main/attachment-worker.mjs'));
  if (!existsSync(path.join(dir, 'renderer/index.html'))) throw new Error('out/renderer was being rebuilt while it was copied');
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `node <build>/web/serve.mjs` over `home` (its .env and data folder), its Ollama at `ollamaUrl`, on a free port. */
export async function startWindowHost(build: string, home: string, ollamaUrl: string): Promise<WindowHost> {
  const key = `bench-window-${Math.random().toString(36).slice(2)}-key`;
  writeFileSync(path.join(home, '.env'), '# written by the bench\n');
  const proc = spawn(process.execPath, [path.join(build, 'web/serve.mjs')], {
    cwd: home,
    env: {
      PATH: process.env.PATH,
      HOME: home,
      VEGA_ENV_FILE: path.join(home, '.env'),
      VEGA_DATA_DIR: path.join(home, 'data'),
      VEGA_API_KEY: key,
      VEGA_HOST: '127.0.0.1',
      VEGA_PORT: '0',
      OLLAMA_HOST: ollamaUrl,
      VEGA_MODEL: 'llama3.2',
      VEGA_OPEN_BROWSER: '0',
      BROWSER: 'none',
      NO_COLOR: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`the web host did not listen within ${START_TIMEOUT_MS / 1000} s:\n${out}`));
    }, START_TIMEOUT_MS);
    proc.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (!m?.[1]) return;
      clearTimeout(timer);
      resolve(m[1]);
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the web host exited (${code}) before listening:\n${out}`));
    });
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  return {
    url,
    key,
    appUrl: `${url}/?token=${key}`,
    pid: proc.pid!,
    close: async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}
