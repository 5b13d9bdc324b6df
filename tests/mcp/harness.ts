import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ToolRegistry, type ToolContext } from '../../src-main/chat/tools.js';
import { alive, listProcs, readProc, treeOf, type ProcInfo } from '../../src-main/mcp/proc.js';
import { createMcp, type McpModule, type McpTiming } from '../../src-main/mcp/index.js';
import { tempEngine, type TempEngine } from '../helpers/engine.js';
import { until } from '../helpers/fault-kit.js';

/**
 * The real MCP servers from npm (dev dependencies, started offline with this
 * Node), the misbehaving fixtures beside this file, an engine with the MCP
 * manager on a temp folder, and /proc checks that no process is left.
 */

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const npm = (pkg: string) => path.join(root, 'node_modules/@modelcontextprotocol', pkg, 'dist/index.js');
export const FIXTURES = path.join(here, 'fixtures');

export type Entry = Record<string, unknown>;

export const servers = {
  everything: (): Entry => ({ command: process.execPath, args: [npm('server-everything'), 'stdio'] }),
  memory: (file: string): Entry => ({ command: process.execPath, args: [npm('server-memory')], env: { MEMORY_FILE_PATH: file } }),
  filesystem: (dir: string): Entry => ({ command: process.execPath, args: [npm('server-filesystem'), dir] }),
  fixture: (name: string, extra: Entry = {}): Entry => ({
    command: process.execPath,
    args: [path.join(FIXTURES, `${name}.mjs`)],
    ...extra,
  }),
};

/** Fast backoff and bounds, so restarts and give-ups happen within a test. */
export const QUICK: Partial<McpTiming> = {
  startMs: 8_000,
  callMs: 8_000,
  quietMs: 500,
  graceMs: 600,
  backoffMs: [50, 100],
  maxFailedStarts: 2,
  stableMs: 60_000,
};

export interface McpEngine {
  readonly engine: TempEngine;
  readonly mcp: McpModule;
  readonly tools: ToolRegistry;
  readonly configFile: string;
  readonly dir: string;
  dispose(): Promise<void>;
}

type Entries = Record<string, Entry> | string;

/**
 * An engine whose mcp.json holds `entries` (or a text as it is; or what a
 * function of the temp folder returns), the MCP manager on it, and its tool registry.
 */
export async function mcpEngine(entries: Entries | ((dir: string) => Entries), timing: Partial<McpTiming> = QUICK): Promise<McpEngine> {
  const engine = await tempEngine({ envText: '' });
  const configFile = path.join(engine.dir, 'mcp.json');
  const e = typeof entries === 'function' ? entries(engine.dir) : entries;
  writeFileSync(configFile, typeof e === 'string' ? e : JSON.stringify({ mcpServers: e }, null, 2));
  const tools = new ToolRegistry();
  const mcp = await createMcp(engine.rm, tools, { configFile, timing, clientVersion: 'test' });
  return { engine, mcp, tools, configFile, dir: engine.dir, dispose: () => engine.dispose() };
}

/** Wait until the server's state is `state` (bounded). */
export function stateOf(mcp: McpModule, name: string): string | undefined {
  return mcp.status().servers.find((s) => s.name === name)?.state;
}

export async function waitState(mcp: McpModule, name: string, state: string, ms = 15_000): Promise<void> {
  await until(() => stateOf(mcp, name) === state, ms, `${name} to be ${state} (it is ${stateOf(mcp, name)})`);
}

export function toolCtx(signal: AbortSignal = new AbortController().signal): ToolContext {
  return { signal, requestId: 'mcp-test' };
}

/**
 * Every process that belongs to `pid`'s tree now: descendants by parent, and
 * the members of the process groups they lead (a grandchild whose parent
 * exited is found by its group). Zombies do not count.
 */
export function descendants(pid: number): ProcInfo[] {
  const procs = listProcs() ?? [];
  const tree = treeOf(procs, pid, -1).filter((p) => p.pid !== pid);
  const groups = new Set(tree.map((p) => p.pgid).filter((g) => g !== readProc(pid)?.pgid));
  const extra = procs.filter((p) => groups.has(p.pgid) && alive(p) && !tree.some((t) => t.pid === p.pid));
  return [...tree, ...extra];
}

/** Of these pids (recorded with their start times), the ones still running. */
export function stillRunning(known: readonly ProcInfo[]): ProcInfo[] {
  return known.filter((k) => {
    const now = readProc(k.pid);
    return alive(now) && now.startTime === k.startTime;
  });
}

/** Processes to kill whatever happens, so a failing test leaves nothing behind. */
const owned = new Set<number>();

export function own(...pids: number[]): void {
  for (const p of pids) owned.add(p);
}

/** SIGKILL a process and its group; quiet when they are gone already. */
export function killGroup(pid: number): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}

/** SIGKILL every owned process and its group (after each test, or after a file whose servers live across tests). */
export function killOwned(): void {
  owned.forEach(killGroup);
  owned.clear();
}

export interface HttpEverything {
  readonly url: string;
  readonly proc: ChildProcess;
  close(): Promise<void>;
}

/**
 * server-everything over HTTP (`streamableHttp` at /mcp, or the old `sse` at
 * /sse), pinned to 127.0.0.1 on a free port by the loopback preload.
 */
export async function startHttpEverything(mode: 'streamableHttp' | 'sse'): Promise<HttpEverything> {
  const proc = spawn(process.execPath, ['--import', path.join(FIXTURES, 'loopback.mjs'), npm('server-everything'), mode], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { PATH: process.env.PATH, PORT: '0' },
    detached: true,
  });
  own(proc.pid!);
  let err = '';
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  await until(() => /LISTENING (\d+)/.test(err) || proc.exitCode !== null, 15_000, `server-everything ${mode} to listen`);
  const port = Number(/LISTENING (\d+)/.exec(err)?.[1]);
  if (!port) throw new Error(`server-everything ${mode} did not start: ${err}`);
  return {
    url: `http://127.0.0.1:${port}${mode === 'sse' ? '/sse' : '/mcp'}`,
    proc,
    close: async () => {
      if (proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      killGroup(proc.pid!);
      await exited;
    },
  };
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

export function tempDir(prefix: string): { dir: string; dispose(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
