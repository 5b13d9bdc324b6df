import { AxeBuilder } from '@axe-core/playwright';
import { test, expect, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { withDeadline } from '../../src-main/engine/deadline.js';
import { buildOnce, ROOT } from './build-once.js';
import { startOllamaStandIn, type OllamaStandIn, type OllamaStandInOptions } from '../helpers/ollama-standin.js';

/**
 * The real web host (`node out/web/serve.mjs`) over a stand-in Ollama, both
 * on free loopback ports, started once per spec file and stopped after it.
 * Nothing is mocked between the browser and the host: the page talks to the
 * host over its WebSocket exactly as a person's browser would.
 */

export const SCREENSHOTS = path.join(ROOT, 'test-results/screenshots');

export interface VegaServer {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly key: string;
  /** The address `npm run serve` prints: the UI with the key. */
  readonly appUrl: string;
  readonly standin: OllamaStandIn;
  readonly dataDir: string;
  /** What the host printed so far (for failure messages). */
  output(): string;
  /** Stop the host and start it again on the same port, data and key. */
  restart(): Promise<void>;
  /** The two halves of restart, to look at the window in between. */
  stopHost(): Promise<void>;
  startHost(): Promise<void>;
}

/** A long-enough answer to watch it stream: word by word, numbered. */
export function countingReply(words = 40): (messages: { role: string; content: string }[]) => string {
  return (messages) => {
    const last = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
    return `You said: ${last}. ` + Array.from({ length: words }, (_, i) => `word${i + 1}`).join(' ') + ' THE END';
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/**
 * A private copy of the built host and window, under out/ so the host still
 * finds node_modules: others may rebuild out/ (emptying out/renderer) while
 * this file's tests run.
 */
function snapshotBuild(): string {
  mkdirSync(path.join(ROOT, 'out/e2e'), { recursive: true });
  const dir = mkdtempSync(path.join(ROOT, 'out/e2e/run-'));
  cpSync(path.join(ROOT, 'out/web'), path.join(dir, 'web'), { recursive: true });
  cpSync(path.join(ROOT, 'out/renderer'), path.join(dir, 'renderer'), { recursive: true });
  // The attachment worker the host starts from ../main beside its bundle.
  cpSync(path.join(ROOT, 'out/main/attachment-worker.mjs'), path.join(dir, 'main/attachment-worker.mjs'));
  return dir;
}

async function startHost(
  serve: string,
  env: Record<string, string>,
  dataDir: string,
): Promise<{ proc: ChildProcess; output: () => string }> {
  const proc = spawn(process.execPath, [serve], { cwd: dataDir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr?.setEncoding('utf8').on('data', (d: string) => (out += d));
  await withDeadline(
    30_000,
    () =>
      new Promise<void>((resolve, reject) => {
        proc.stdout?.on('data', () => {
          if (out.includes('Vega web host listening')) resolve();
        });
        proc.once('exit', (code) => reject(new Error(`The web host exited (${code}) before listening:\n${out}`)));
      }),
    {
      onLate: () => {
        throw new Error(`The web host did not say it was listening within 30 s:\n${out}`);
      },
    },
  );
  return { proc, output: () => out };
}

async function stopHost(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.kill('SIGTERM');
  await withDeadline(8_000, () => exited, {
    onLate: () => {
      proc.kill('SIGKILL');
      return exited;
    },
  });
}

/**
 * Call at the top of a spec file: starts the stand-in and the host before
 * the file's first test, stops both after its last. The returned object is
 * filled in by then.
 */
export function useVegaServer(opts: { standin?: OllamaStandInOptions; env?: Record<string, string> } = {}): VegaServer {
  const server = {} as { -readonly [K in keyof VegaServer]: VegaServer[K] };
  let proc: ChildProcess | undefined;
  let build: string | undefined;

  test.beforeAll(async () => {
    test.setTimeout(240_000);
    buildOnce(['out/web/serve.mjs', 'out/renderer/index.html', 'out/main/attachment-worker.mjs']);
    build = snapshotBuild();
    const serve = path.join(build, 'web/serve.mjs');
    const standin = await startOllamaStandIn({ models: ['llama3.2'], ...opts.standin });
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'vega-e2e-'));
    const envFile = path.join(dataDir, '.env');
    writeFileSync(envFile, '# written by the e2e fixture\n');
    const port = await freePort();
    const key = `e2e-${Math.random().toString(36).slice(2)}-key`;
    const env = {
      VEGA_PORT: String(port),
      VEGA_HOST: '127.0.0.1',
      VEGA_API_KEY: key,
      VEGA_DATA_DIR: path.join(dataDir, 'data'),
      VEGA_ENV_FILE: envFile,
      OLLAMA_HOST: standin.url,
      VEGA_MODEL: 'llama3.2',
      VEGA_OPEN_BROWSER: '0',
      ...opts.env,
    };
    let started = await startHost(serve, env, dataDir);
    proc = started.proc;
    Object.assign(server, {
      url: `http://127.0.0.1:${port}`,
      key,
      appUrl: `http://127.0.0.1:${port}/?token=${key}`,
      standin,
      dataDir,
      output: () => started.output(),
      stopHost: async () => {
        if (proc) await stopHost(proc);
      },
      startHost: async () => {
        started = await startHost(serve, env, dataDir);
        proc = started.proc;
      },
      restart: async () => {
        await server.stopHost();
        await server.startHost();
      },
    });
  });

  test.afterAll(async () => {
    if (proc) await stopHost(proc);
    await server.standin?.close();
    if (server.dataDir) rmSync(server.dataDir, { recursive: true, force: true });
    if (build) rmSync(build, { recursive: true, force: true });
  });

  return server;
}

/** Open the app signed in, on the chat. */
export async function openApp(page: Page, server: VegaServer): Promise<void> {
  await page.goto(server.appUrl);
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible();
}

/** Type and send a message with the keyboard, as a person would. */
export async function sendMessage(page: Page, text: string): Promise<void> {
  const box = page.getByRole('textbox', { name: 'Message' });
  await box.fill(text);
  await box.press('Enter');
}

/** The last answer on screen. */
export function lastAnswer(page: Page) {
  return page.locator('article[aria-label="Vega said"]').last();
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: false });
}

/** Points drawn in a dashboard chart (its card exposes the count). */
export function chartPoints(page: Page, chart: string): Promise<number> {
  return page
    .getByRole('group', { name: chart, exact: true })
    .locator('.chart')
    .getAttribute('data-points')
    .then((v) => Number(v ?? 0));
}

/** axe-core's serious and critical findings on the page as it is, in a short form. */
// Spelled out: the inferred type would name axe-core's nested copy, which a declaration cannot.
export async function seriousViolations(
  page: Page,
): Promise<{ id: string; impact: string | null | undefined; help: string; nodes: string[] }[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
}

export { test, expect };
