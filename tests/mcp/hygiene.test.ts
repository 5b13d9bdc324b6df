import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { VegaError } from '../../src-shared/errors.js';
import { readProc, type ProcInfo } from '../../src-main/mcp/proc.js';
import { until } from '../helpers/fault-kit.js';
import { QUICK, descendants, killOwned, mcpEngine, own, servers, stillRunning, toolCtx, waitState, type McpEngine } from './harness.js';

// Servers that misbehave at the end of their life: each one's whole tree is
// gone when its stop (or Vega's shutdown) is over, checked from /proc by pid
// and process group. The time each stop took is printed for the notes.

let m: McpEngine | undefined;
afterEach(async () => {
  await m?.dispose();
  m = undefined;
  killOwned();
});

/** The server's process and every process of its tree, recorded while they run (with their start times). */
function treeOfServer(name: string): ProcInfo[] {
  const pid = m!.mcp.snapshot().servers.find((s) => s.name === name)!.pid!;
  own(pid);
  return [readProc(pid)!, ...descendants(pid)];
}

/** Pids a fixture wrote to stderr ("grandchildren 123 456"), from the log. */
function grandchildrenFromLog(): number[] {
  const log = readFileSync(path.join(m!.engine.rm.logDir, 'vega.1.log'), 'utf8');
  const line = /grandchildren (\d+) (\d+)/.exec(log);
  return line ? [Number(line[1]), Number(line[2])] : [];
}

async function timedShutdown(): Promise<{ ms: number; step: { ok: boolean; ms: number } | undefined }> {
  const t0 = performance.now();
  const report = await m!.engine.rm.shutdown();
  return { ms: Math.round(performance.now() - t0), step: report.find((r) => r.step === 'mcp-servers') };
}

describe('process hygiene of stdio servers', () => {
  it('a server that ignores its stdin closing and SIGTERM: SIGKILL after the grace, nothing left', async () => {
    m = await mcpEngine({ deaf: servers.fixture('ignores-sigterm') });
    await waitState(m.mcp, 'deaf', 'ready');
    const tree = treeOfServer('deaf');
    expect(stillRunning(tree)).toHaveLength(1);
    const { ms, step } = await timedShutdown();
    expect(step?.ok).toBe(true);
    expect(stillRunning(tree)).toEqual([]);
    const log = readFileSync(path.join(m.engine.rm.logDir, 'vega.1.log'), 'utf8');
    expect(log).toContain('ignoring SIGTERM');
    expect(log).toMatch(/"outcome":"killed"/);
    console.info(
      `[mcp hygiene] ignores SIGTERM: 0 left, shutdown ${ms} ms (quiet ${QUICK.quietMs} + grace ${QUICK.graceMs} ms, then SIGKILL)`,
    );
  });

  it('a server that spawns grandchildren (one in its group, one in a group of its own), both deaf to SIGTERM: all gone', async () => {
    m = await mcpEngine({ parent: servers.fixture('spawns-grandchildren') });
    await waitState(m.mcp, 'parent', 'ready');
    await until(() => grandchildrenFromLog().length === 2, 5_000, 'the grandchildren pids in the log');
    const [inGroup, ownGroup] = grandchildrenFromLog() as [number, number];
    own(inGroup, ownGroup);
    const tree = treeOfServer('parent');
    expect(tree.map((p) => p.pid)).toEqual(expect.arrayContaining([inGroup, ownGroup]));
    expect(readProc(ownGroup)!.pgid).toBe(ownGroup);
    const fig = m.mcp.snapshot().servers[0]!;
    expect(fig.processes).toBe(3);
    const { ms, step } = await timedShutdown();
    expect(step?.ok).toBe(true);
    expect(stillRunning(tree)).toEqual([]);
    console.info(`[mcp hygiene] grandchildren: 0 left of ${tree.length}, shutdown ${ms} ms`);
  });

  it('a server that hangs in initialize: failed after the start bound with the reason, and its process is gone', async () => {
    m = await mcpEngine({ mute: servers.fixture('hangs-in-initialize') }, { ...QUICK, startMs: 800, maxFailedStarts: 1 });
    // Its pid while it hangs, from the running-servers file Vega keeps.
    let pid = 0;
    await until(
      () => {
        try {
          pid =
            (JSON.parse(readFileSync(path.join(m!.engine.rm.dataDir, 'mcp-running.json'), 'utf8')) as { servers: { pid: number }[] })
              .servers[0]?.pid ?? 0;
        } catch {
          pid = 0;
        }
        return pid > 0;
      },
      5_000,
      'the hanging server to be recorded',
    );
    own(pid);
    const proc = readProc(pid)!;
    const t0 = performance.now();
    await waitState(m.mcp, 'mute', 'failed');
    const s = m.mcp.status().servers[0]!;
    expect(s.lastError).toContain('did not finish starting within 0.8 s');
    expect(s.fix).toMatch(/speaks stdio/);
    await until(() => stillRunning([proc]).length === 0, 5_000, 'the hanging server to be gone');
    console.info(
      `[mcp hygiene] hangs in initialize: failed and 0 left ${Math.round(performance.now() - t0)} ms after the start bound began`,
    );
  });

  it('a server killed mid-call: the call fails typed, Vega restarts it, the next call works', async () => {
    m = await mcpEngine({ crashy: servers.fixture('well-behaved') });
    await waitState(m.mcp, 'crashy', 'ready');
    const first = m.mcp.snapshot().servers[0]!.pid!;
    own(first);
    const slow = m.tools.get('crashy__slow')!.run({ ms: 10_000 }, toolCtx());
    // Once the call is in flight (the server answers a second call meanwhile), the process dies.
    expect(await m.tools.get('crashy__pid')!.run({}, toolCtx())).toBe(String(first));
    const t0 = performance.now();
    process.kill(first, 'SIGKILL');
    const err = await slow.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VegaError);
    expect(err).toMatchObject({ code: 'PROVIDER_ERROR' });
    expect((err as VegaError).message).toMatch(/stopped during the call to slow; Vega restarts it/);
    await waitState(m.mcp, 'crashy', 'ready');
    const fig = m.mcp.snapshot().servers[0]!;
    expect(fig.restarts).toBe(1);
    expect(fig.pid).not.toBe(first);
    own(fig.pid!);
    expect(await m.tools.get('crashy__pid')!.run({}, toolCtx())).toBe(String(fig.pid));
    expect(await m.tools.get('crashy__echo')!.run({ text: 'again' }, toolCtx())).toBe('echo: again');
    const restartMs = Math.round(performance.now() - t0);
    const log = readFileSync(path.join(m.engine.rm.logDir, 'vega.1.log'), 'utf8');
    expect(log).toMatch(/MCP server \\"crashy\\" restarting: It was ended by SIGKILL while in use\. Restarting in 0\.1 s\./);
    expect(stillRunning([readProc(fig.pid!)!])).toHaveLength(1);
    console.info(`[mcp hygiene] killed mid-call: typed error, restarted and answering again in ${restartMs} ms`);
  });

  it('a server that crashes at every start: restarting with backoff, then failed with the count, and no restart after that', async () => {
    m = await mcpEngine({
      dying: { command: process.execPath, args: ['-e', 'console.error("cannot open the database"); process.exit(2)'] },
    });
    await waitState(m.mcp, 'dying', 'failed');
    const s = m.mcp.status().servers[0]!;
    expect(s.lastError).toBe(
      'It exited with code 2 before it was ready: cannot open the database (2 failed starts in a row: Vega stopped trying.)',
    );
    expect(s.fix).toMatch(/Run the same command in a terminal/);
    const log = readFileSync(path.join(m.engine.rm.logDir, 'vega.1.log'), 'utf8');
    expect(log).toMatch(/"dying\\" restarting: It exited with code 2/);
    expect(log).toContain('[mcp dying] cannot open the database');
    expect(s.pid).toBeNull();
  });
});
