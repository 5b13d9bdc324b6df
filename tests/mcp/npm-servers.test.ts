import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VegaError } from '../../src-shared/errors.js';
import {
  QUICK,
  closedPort,
  descendants,
  killOwned,
  mcpEngine,
  servers,
  startHttpEverything,
  toolCtx,
  waitState,
  type HttpEverything,
  type McpEngine,
} from './harness.js';

// The reference MCP servers from npm, started offline: over stdio as Vega's
// own background processes, and server-everything over Streamable HTTP and
// the old SSE transport through the engine's one pool.

// The HTTP servers live across a describe's tests: killed, whatever happened, after the file.
afterAll(() => killOwned());

describe('stdio: server-everything, server-memory, server-filesystem', () => {
  let m: McpEngine;
  let outside: string;

  beforeAll(async () => {
    m = await mcpEngine((dir) => {
      const folder = path.join(dir, 'allowed');
      mkdirSync(folder);
      outside = path.join(dir, 'secret.txt');
      writeFileSync(outside, 'not for the model');
      return {
        everything: servers.everything(),
        memory: servers.memory(path.join(dir, 'memory.jsonl')),
        files: servers.filesystem(folder),
      };
    });
    await Promise.all(['everything', 'memory', 'files'].map((n) => waitState(m.mcp, n, 'ready', 20_000)));
  });
  afterAll(() => m.dispose());

  it('each is a child of Vega in a process group of its own, with its tools namespaced by server', () => {
    const status = m.mcp.status();
    expect(status.servers.map((s) => [s.name, s.state, s.transport])).toEqual([
      ['everything', 'ready', 'stdio'],
      ['memory', 'ready', 'stdio'],
      ['files', 'ready', 'stdio'],
    ]);
    const mine = descendants(process.pid);
    for (const s of status.servers) {
      const p = mine.find((d) => d.pid === s.pid);
      expect(p, s.name).toBeDefined();
      expect(p!.pgid, `${s.name} leads its own group`).toBe(s.pid);
      expect(s.toolList.every((t) => t.name.startsWith(`${s.name}__`) && /^[A-Za-z0-9_-]{1,64}$/.test(t.name))).toBe(true);
    }
    expect(m.tools.get('everything__echo')?.stateChanging).toBe(false);
    expect(m.tools.get('memory__read_graph')?.stateChanging).toBe(false);
    // No readOnlyHint: the person approves first.
    expect(m.tools.get('memory__delete_entities')?.stateChanging).toBe(true);
    expect(m.tools.get('files__write_file')?.stateChanging).toBe(true);
  });

  it('calls their tools: echo and sum, a memory written then read back, a file inside the allowed folder', async () => {
    const run = (name: string, args: Record<string, unknown>) => m.tools.get(name)!.run(args, toolCtx());
    expect(await run('everything__echo', { message: 'hello over stdio' })).toBe('Echo: hello over stdio');
    expect(await run('everything__get-sum', { a: 2, b: 40 })).toContain('42');
    await run('memory__create_entities', { entities: [{ name: 'Vega', entityType: 'app', observations: ['speaks MCP'] }] });
    expect(await run('memory__read_graph', {})).toContain('speaks MCP');
    expect(readFileSync(path.join(m.dir, 'memory.jsonl'), 'utf8')).toContain('Vega');
    const file = path.join(m.dir, 'allowed', 'note.txt');
    await run('files__write_file', { path: file, content: 'written by a tool' });
    expect(await run('files__read_text_file', { path: file })).toBe('written by a tool');
  });

  it('the filesystem server stays confined: a path outside its folder fails as a typed error, and the server stays ready', async () => {
    const err = await m.tools
      .get('files__read_text_file')!
      .run({ path: outside }, toolCtx())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VegaError);
    expect((err as VegaError).code).toBe('PROVIDER_ERROR');
    expect((err as VegaError).message).toMatch(/files/);
    expect((err as VegaError).message).not.toContain('not for the model');
    expect(m.mcp.status().servers.find((s) => s.name === 'files')?.state).toBe('ready');
  });

  it('figures: pid, memory of the process tree from /proc, tools, calls and p50 latency', () => {
    const everything = m.mcp.snapshot().servers.find((s) => s.name === 'everything')!;
    expect(everything.pid).toBeGreaterThan(0);
    expect(everything.memoryBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(everything.processes).toBe(1);
    expect(everything.tools).toBeGreaterThan(5);
    expect(everything.calls).toBeGreaterThanOrEqual(2);
    expect(everything.p50Ms).toBeGreaterThan(0);
    // The second sample has a CPU rate.
    expect(m.mcp.snapshot().servers.find((s) => s.name === 'everything')!.cpuPercent).not.toBeNull();
  });
});

describe('HTTP: server-everything over Streamable HTTP, and an SSE-only server', () => {
  let streamable: HttpEverything;
  let sse: HttpEverything;
  let m: McpEngine;

  beforeAll(async () => {
    [streamable, sse] = await Promise.all([startHttpEverything('streamableHttp'), startHttpEverything('sse')]);
    m = await mcpEngine({ remote: { url: streamable.url }, legacy: { url: sse.url } });
    await Promise.all([waitState(m.mcp, 'remote', 'ready'), waitState(m.mcp, 'legacy', 'ready')]);
  });
  afterAll(async () => {
    await m.dispose();
    await Promise.all([streamable.close(), sse.close()]);
  });

  it('Streamable HTTP, and SSE after Streamable HTTP is refused: both ready, no process of their own', () => {
    const byName = Object.fromEntries(m.mcp.snapshot().servers.map((s) => [s.name, s]));
    expect(byName.remote).toMatchObject({ state: 'ready', transport: 'http', pid: null });
    expect(byName.legacy).toMatchObject({ state: 'ready', transport: 'sse', pid: null });
  });

  it('calls go through the engine pool: the MCP origins show like any other, and there is still one HTTP client', async () => {
    for (let i = 0; i < 3; i++) expect(await m.tools.get('remote__echo')!.run({ message: `n${i}` }, toolCtx())).toBe(`Echo: n${i}`);
    expect(await m.tools.get('legacy__get-sum')!.run({ a: 1, b: 2 }, toolCtx())).toContain('3');
    const origins = m.engine.rm.origins().map((o) => o.origin);
    expect(origins).toEqual(expect.arrayContaining([new URL(streamable.url).origin, new URL(sse.url).origin]));
    expect(m.engine.rm.stats().httpClientsCreated).toBe(1);
    expect(
      m.engine.rm.recentRequests().some((r) => r.origin === new URL(streamable.url).origin && r.method === 'POST' && r.status === 200),
    ).toBe(true);
  });

  it('a URL where nothing listens fails with the address and the fix; the other servers keep working', async () => {
    const port = await closedPort();
    await m.mcp.save({ action: 'put', name: 'nobody', server: { enabled: true, transport: 'http', url: `http://127.0.0.1:${port}/mcp` } });
    await waitState(m.mcp, 'nobody', 'failed');
    const nobody = m.mcp.status().servers.find((s) => s.name === 'nobody')!;
    expect(nobody.lastError).toContain(`is not reachable at http://127.0.0.1:${port}/mcp`);
    expect(nobody.fix).toMatch(/Start the server, or correct its "url"/);
    expect(await m.tools.get('remote__echo')!.run({ message: 'still here' }, toolCtx())).toBe('Echo: still here');
  });
});

describe('stdin closed: the reference servers exit by themselves', () => {
  it('at quit each one exits by itself once its stdin closes: no SIGTERM was needed', async () => {
    const m = await mcpEngine(
      (dir) => ({ everything: servers.everything(), memory: servers.memory(path.join(dir, 'm.jsonl')), files: servers.filesystem(dir) }),
      {
        ...QUICK,
        quietMs: 5_000,
      },
    );
    try {
      for (const n of ['everything', 'memory', 'files']) await waitState(m.mcp, n, 'ready');
      const pids = m.mcp.snapshot().servers.map((s) => s.pid!);
      const report = await m.engine.rm.shutdown();
      expect(report.find((r) => r.step === 'mcp-servers')).toMatchObject({ ok: true });
      expect(descendants(process.pid).filter((p) => pids.includes(p.pid) || pids.includes(p.pgid))).toEqual([]);
      const log = readFileSync(path.join(m.engine.rm.logDir, 'vega.1.log'), 'utf8');
      for (const n of ['everything', 'memory', 'files'])
        expect(log).toMatch(new RegExp(`MCP server \\\\"${n}\\\\" stopped \\(exited, \\d+ ms\\)`));
    } finally {
      await m.dispose();
    }
  });
});
