import { _electron, type ElectronApplication } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { executable, type ElectronBinary } from '../../scripts/electron-binary.mjs';
import { CONFIG_KEYS } from '../../src-shared/config-keys.js';
import { within } from '../helpers/fault-kit.js';
import { buildOnce, ROOT } from './build-once.js';

export { ROOT };

/**
 * Helpers for tests/e2e/electron.spec.ts: build and launch the real Electron
 * app (out/main/index.cjs) against a temporary data folder and .env, and look
 * at the process tree it leaves behind. Nothing here runs unless the spec
 * found an Electron binary, so a machine without one never builds or launches.
 */

/**
 * The app to launch. Normally the Electron binary (scripts/electron-binary.mjs)
 * running out/main/index.cjs; with VEGA_E2E_APP, a packaged Vega built by
 * `VEGA_TEST_BUILD=1 npm run dist` (the release build's fuses refuse the
 * inspector Playwright attaches through).
 */
export function electronTarget(
  binary: ElectronBinary,
  env: NodeJS.ProcessEnv = process.env,
): { ok: true; path: string; packaged: boolean } | { ok: false; reason: string } {
  const app = env.VEGA_E2E_APP;
  if (app) {
    return executable(app)
      ? { ok: true, path: path.resolve(app), packaged: true }
      : { ok: false, reason: `VEGA_E2E_APP is set, but ${app} is not an executable file` };
  }
  return binary.ok
    ? { ok: true, path: binary.path, packaged: false }
    : { ok: false, reason: `Electron binary not available: ${binary.reason}` };
}

/**
 * A private copy of main, preload and renderer, so a rebuild of out/ by
 * someone else mid-run cannot pull the files from under the app. It lives
 * under out/ so the main bundle still finds the root node_modules, and keeps
 * the layout main.ts expects (../preload, ../renderer beside main/).
 */
function snapshotBuild(): { dir: string; main: string } {
  const parent = path.join(ROOT, 'out/e2e');
  mkdirSync(parent, { recursive: true });
  // A run killed mid-way cannot clean up after itself: drop its copy once it is old.
  for (const name of readdirSync(parent)) {
    const old = path.join(parent, name);
    try {
      if (name.startsWith('electron-') && Date.now() - statSync(old).mtimeMs > 6 * 3600_000) rmSync(old, { recursive: true, force: true });
    } catch {
      // another run removed it first
    }
  }
  const dir = mkdtempSync(path.join(parent, 'electron-'));
  for (const part of ['main', 'preload', 'renderer']) cpSync(path.join(ROOT, 'out', part), path.join(dir, part), { recursive: true });
  return { dir, main: path.join(dir, 'main', 'index.cjs') };
}

/**
 * The environment the app gets: ours, minus anything that would change what
 * it reads (Vega's own settings win over the .env when set in the
 * environment, so a developer's OLLAMA_HOST must not leak in) or how
 * Electron starts (ELECTRON_RUN_AS_NODE turns it into plain Node).
 */
export function electronEnv(extra: Record<string, string>): Record<string, string> {
  const drop = new Set<string>([
    ...CONFIG_KEYS.map((k) => k.key),
    'VEGA_ENV_FILE',
    'ELECTRON_RUN_AS_NODE',
    'ELECTRON_NO_ATTACH_CONSOLE',
    'NODE_OPTIONS',
  ]);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !drop.has(k)) env[k] = v;
  return { ...env, ...extra };
}

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface LaunchedVega {
  readonly app: ElectronApplication;
  /** The Electron main process's pid (Playwright spawns the executable itself on Linux and macOS). */
  readonly pid: number;
  /** Resolves when the Electron process has exited. */
  readonly exited: Promise<ExitStatus>;
  /** VEGA_DATA_DIR */
  readonly dataDir: string;
  /** VEGA_ENV_FILE */
  readonly envFile: string;
  /** Chromium's profile (--user-data-dir). */
  readonly userDataDir: string;
  /** What the app printed on stdout and stderr so far. */
  output(): string;
  running(): boolean;
  /** Close the app if it still runs (killing it if it will not go), then remove its folders. */
  dispose(): Promise<void>;
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Launch the built app with `_electron`, on a temporary VEGA_DATA_DIR, a
 * temporary .env naming the stand-in Ollama, and a temporary Chromium
 * profile (which also holds the single-instance lock, so a Vega the person
 * has open does not turn this run into a second instance that quits).
 */
export async function launchVega(opts: {
  executablePath: string;
  ollamaUrl: string;
  model?: string;
  packaged?: boolean;
}): Promise<LaunchedVega> {
  // A packaged app carries its own main (in the asar); the Electron binary is given ours.
  let build: { dir: string; main: string } | undefined;
  if (!opts.packaged) {
    buildOnce(['out/main/index.cjs', 'out/preload/index.cjs', 'out/renderer/index.html']);
    build = snapshotBuild();
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vega-e2e-electron-'));
  const dataDir = path.join(dir, 'data');
  const userDataDir = path.join(dir, 'user-data');
  const envFile = path.join(dir, '.env');
  writeFileSync(
    envFile,
    `# written by tests/e2e/electron-fixtures.ts\nOLLAMA_HOST=${opts.ollamaUrl}\nVEGA_MODEL=${opts.model ?? 'llama3.2'}\n`,
  );
  const removeFolders = () => {
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
    if (build) rmSync(build.dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  };

  let app: ElectronApplication;
  try {
    app = await _electron.launch({
      executablePath: opts.executablePath,
      // On Linux Playwright adds --no-sandbox itself (chromiumSandbox: false).
      args: [...(build ? [build.main] : []), `--user-data-dir=${userDataDir}`],
      // Not the repository: nothing may find a .env there by accident.
      cwd: dir,
      env: electronEnv({ VEGA_DATA_DIR: dataDir, VEGA_ENV_FILE: envFile, NODE_ENV: 'test', ELECTRON_ENABLE_LOGGING: '1' }),
      timeout: 60_000,
    });
  } catch (err) {
    removeFolders();
    throw err;
  }

  const child = app.process();
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<ExitStatus>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  let done = false;
  void exited.then(() => (done = true));

  return {
    app,
    pid: child.pid ?? -1,
    exited,
    dataDir,
    envFile,
    userDataDir,
    output: () => out,
    running: () => !done,
    dispose: async () => {
      // Once the process has exited Playwright has already dropped the app
      // (its context closes with the connection); only a live one is closed.
      if (!done) {
        await within(30_000, app.close(), 'Closing the Electron app').catch(() => undefined);
        if (!done) child.kill('SIGKILL');
        await within(10_000, exited, 'The Electron process exiting').catch(() => undefined);
      }
      removeFolders();
    },
  };
}

/** The app's log lines (JSON, one a line) from `<dataDir>/logs/vega.*.log`. */
export function readVegaLogs(dataDir: string): string {
  const dir = path.join(dataDir, 'logs');
  if (!existsSync(dir)) return '';
  return readdirSync(dir)
    .filter((n) => n.endsWith('.log'))
    .sort()
    .map((n) => readFileSync(path.join(dir, n), 'utf8'))
    .join('\n');
}

// ---------------------------------------------------------------------------
// The process tree

export interface ProcessEntry {
  readonly pid: number;
  readonly ppid: number;
  /** Start time as the OS gives it: tells a process apart from a later one that reuses its pid. */
  readonly start: string;
  readonly name: string;
  /** Exited, waiting to be reaped: no longer running. */
  readonly zombie: boolean;
}

/** Every process on the machine, or null where this platform cannot be listed. */
export function processTable(): ProcessEntry[] | null {
  if (process.platform === 'linux') {
    const rows: ProcessEntry[] = [];
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      } catch {
        continue; // gone while we looked
      }
      // "pid (comm) state ppid ..."; comm may hold spaces and parentheses.
      const open = stat.indexOf('(');
      const close = stat.lastIndexOf(')');
      const fields = stat.slice(close + 2).split(' ');
      // fields[0] is field 3 (state), fields[1] field 4 (ppid), fields[19] field 22 (starttime).
      rows.push({
        pid: Number(entry),
        ppid: Number(fields[1]),
        start: fields[19] ?? '',
        name: stat.slice(open + 1, close),
        zombie: fields[0] === 'Z' || fields[0] === 'X',
      });
    }
    return rows;
  }
  if (process.platform === 'darwin' || process.platform === 'freebsd' || process.platform === 'openbsd') {
    const r = spawnSync('ps', ['-A', '-o', 'pid=', '-o', 'ppid=', '-o', 'stat=', '-o', 'lstart=', '-o', 'comm='], { encoding: 'utf8' });
    if (r.status !== 0) return null;
    const rows: ProcessEntry[] = [];
    for (const line of r.stdout.split('\n')) {
      const m = /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(\w{3}\s+\w{3}\s+\d+\s+[\d:]+\s+\d{4})\s+(.*)$/.exec(line);
      if (m) rows.push({ pid: Number(m[1]), ppid: Number(m[2]), zombie: m[3]!.startsWith('Z'), start: m[4]!, name: m[5]! });
    }
    return rows;
  }
  if (process.platform === 'win32') {
    const script =
      "Get-CimInstance Win32_Process | ForEach-Object { '{0} {1} {2} {3}' -f $_.ProcessId, $_.ParentProcessId, $_.CreationDate.Ticks, $_.Name }";
    const r = spawnSync('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', script], { encoding: 'utf8', windowsHide: true });
    if (r.status !== 0) return null;
    const rows: ProcessEntry[] = [];
    for (const line of r.stdout.split(/\r?\n/)) {
      const m = /^(\d+) (\d+) (\d+) (.*)$/.exec(line.trim());
      if (m) rows.push({ pid: Number(m[1]), ppid: Number(m[2]), start: m[3]!, name: m[4]!, zombie: false });
    }
    return rows;
  }
  return null;
}

/** Every live process below `pid` (children, their children, …). */
export function descendantsOf(pid: number, table: readonly ProcessEntry[]): ProcessEntry[] {
  const found: ProcessEntry[] = [];
  const queue = [pid];
  const seen = new Set<number>([pid]);
  while (queue.length) {
    const parent = queue.shift()!;
    for (const p of table) {
      if (p.ppid !== parent || seen.has(p.pid) || p.zombie) continue;
      seen.add(p.pid);
      found.push(p);
      queue.push(p.pid);
    }
  }
  return found;
}

/**
 * What is still running of an exited app: any live process whose parent is
 * `pid`, and any of `recorded` (its tree, listed while it ran; orphans are
 * re-parented, so the parent check alone would miss them) that is still the
 * same process. Empty when nothing is left, or where processes cannot be listed.
 */
export function leftoverProcesses(pid: number, recorded: readonly ProcessEntry[]): string[] {
  const table = processTable();
  if (!table) return [];
  const left = new Map<number, ProcessEntry>();
  for (const p of table) if (p.ppid === pid && !p.zombie) left.set(p.pid, p);
  for (const r of recorded) {
    const now = table.find((p) => p.pid === r.pid && p.start === r.start && !p.zombie);
    if (now) left.set(now.pid, now);
  }
  return [...left.values()].map((p) => `${p.pid} ${p.name} (parent ${p.ppid})`).sort();
}
