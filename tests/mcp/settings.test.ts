import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchCall } from '../../src-main/app/router.js';
import { logFiles } from '../../src-main/engine/logger.js';
import type { McpSaveParams, McpStatus } from '../../src-shared/mcp.js';
import { until } from '../helpers/fault-kit.js';
import { tempWebHost, type TempWebHost } from '../helpers/web.js';
import { killOwned, servers, stillRunning, tempDir, waitState } from './harness.js';
import { readProc } from '../../src-main/mcp/proc.js';

// Settings → MCP servers through the contract's one door: each change is
// checked by the shared schema, written atomically, followed at once by the
// servers, and no env or header value ever comes back to the window or the log.

const SECRET = 'mcp-env-secret-7f3a9c1e';
const HEADER_SECRET = 'Bearer mcp-header-secret-42aa';
let w: TempWebHost;
const tmp = tempDir('vega-mcp-settings-');
const file = path.join(tmp.dir, 'mcp.json');

beforeAll(async () => {
  writeFileSync(file, JSON.stringify({ mcpServers: { everything: { ...servers.everything(), env: { API_TOKEN: SECRET } } } }));
  w = await tempWebHost(`VEGA_MCP_CONFIG=${file}\n`);
  await waitState(w.app.mcp, 'everything', 'ready', 20_000);
});
afterAll(async () => {
  await w.dispose();
  tmp.dispose();
  killOwned();
});

async function call(channel: 'mcp:list' | 'mcp:save' | 'mcp:restart', params: unknown) {
  return dispatchCall(w.app.handlers, channel, params, { host: 'web' });
}
async function save(p: McpSaveParams) {
  const env = await call('mcp:save', p);
  if (!env.ok) throw new Error(`${env.error.code}: ${env.error.message}`);
  return env.value as { saved: boolean; errors: Record<string, string>; status: McpStatus };
}
const onDisk = () => (JSON.parse(readFileSync(file, 'utf8')) as { mcpServers: Record<string, Record<string, unknown>> }).mcpServers;

describe('mcp:list', () => {
  it("shows each server's settings with the names of its env variables, never their values", async () => {
    const env = await call('mcp:list', {});
    expect(env.ok).toBe(true);
    const status = (env as { value: McpStatus }).value;
    expect(status.configPath).toBe(file);
    expect(status.servers[0]!.settings).toMatchObject({ name: 'everything', enabled: true, transport: 'stdio', env: ['API_TOKEN'] });
    expect(status.servers[0]!.toolList.find((t) => t.name === 'everything__echo')).toMatchObject({ tool: 'echo', readOnly: true });
    expect(JSON.stringify(status)).not.toContain(SECRET);
  });

  it('the server got the value: its own get-env tool sees it (and what reaches the window is scrubbed)', async () => {
    const out = await w.app.chat.tools.get('everything__get-env')!.run({}, { signal: new AbortController().signal, requestId: 'x' });
    expect(out).toContain(SECRET);
    expect(w.app.rm.redact(out)).not.toContain(SECRET);
  });
});

describe('mcp:save', () => {
  it('adds an HTTP server with a header: written 0600, the header value kept as a secret', async () => {
    const r = await save({
      action: 'put',
      name: 'remote',
      server: { enabled: false, transport: 'http', url: 'http://127.0.0.1:3999/mcp', headers: { Authorization: HEADER_SECRET } },
    });
    expect(r).toMatchObject({ saved: true, errors: {} });
    expect(onDisk().remote).toEqual({ url: 'http://127.0.0.1:3999/mcp', headers: { Authorization: HEADER_SECRET }, disabled: true });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(r.status.servers.find((s) => s.name === 'remote')).toMatchObject({
      state: 'disabled',
      settings: { headers: ['Authorization'], enabled: false },
    });
    expect(JSON.stringify(r)).not.toContain('mcp-header-secret');
  });

  it('an edit that leaves a secret empty (null) keeps the stored value; a new value replaces it', async () => {
    await save({
      action: 'put',
      name: 'remote',
      server: { enabled: false, transport: 'sse', url: 'http://127.0.0.1:3999/sse', headers: { Authorization: null } },
    });
    expect(onDisk().remote).toEqual({
      type: 'sse',
      url: 'http://127.0.0.1:3999/sse',
      headers: { Authorization: HEADER_SECRET },
      disabled: true,
    });
    await save({
      action: 'put',
      name: 'remote',
      server: { enabled: false, transport: 'sse', url: 'http://127.0.0.1:3999/sse', headers: { Authorization: 'Bearer new' } },
    });
    expect((onDisk().remote!.headers as Record<string, string>).Authorization).toBe('Bearer new');
  });

  it('field errors come back per field and nothing is written', async () => {
    const before = readFileSync(file, 'utf8');
    expect((await save({ action: 'put', name: 'x', server: { enabled: true, transport: 'stdio', command: '  ' } })).errors).toEqual({
      command: expect.stringMatching(/Name the program/),
    });
    expect((await save({ action: 'put', name: 'x', server: { enabled: true, transport: 'http', url: 'ftp://host/x' } })).errors).toEqual({
      url: '"url" must be an http:// or https:// URL',
    });
    expect(
      (await save({ action: 'put', name: 'x', server: { enabled: true, transport: 'stdio', command: 'node', env: { NEW_ONE: null } } }))
        .errors,
    ).toEqual({ 'env.NEW_ONE': 'No value is stored for NEW_ONE: enter one.' });
    expect(
      (
        await save({
          action: 'put',
          name: 'remote',
          previousName: 'everything',
          server: { enabled: true, transport: 'stdio', command: 'node' },
        })
      ).errors,
    ).toEqual({ name: 'A server named "remote" exists already.' });
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('payloads outside the schema are refused at the door: unknown keys, a __proto__ env name, a bad name, a put without a server', async () => {
    const bad = [
      { action: 'put', name: 'x', server: { enabled: true, transport: 'stdio', command: 'node', shell: true } },
      JSON.parse(
        '{"action":"put","name":"x","server":{"enabled":true,"transport":"stdio","command":"node","env":{"__proto__":"x"}}}',
      ) as unknown,
      { action: 'put', name: 'has space', server: { enabled: true, transport: 'stdio', command: 'node' } },
      { action: 'put', name: 'x' },
      { action: 'remove', name: 'x', enabled: true },
      { action: 'delete', name: 'x' },
    ];
    for (const params of bad)
      expect(await call('mcp:save', params), JSON.stringify(params)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  });

  it('disable stops the server and its tools; enable starts it again', async () => {
    const pid = w.app.mcp.snapshot().servers.find((s) => s.name === 'everything')!.pid!;
    const proc = readProc(pid)!;
    await save({ action: 'enable', name: 'everything', enabled: false });
    expect(onDisk().everything!.disabled).toBe(true);
    expect(stillRunning([proc])).toEqual([]);
    expect(w.app.chat.tools.get('everything__echo')).toBeUndefined();
    expect(w.app.mcp.status().servers.find((s) => s.name === 'everything')!.state).toBe('disabled');
    await save({ action: 'enable', name: 'everything', enabled: true });
    expect(onDisk().everything!.disabled).toBeUndefined();
    expect((onDisk().everything!.env as Record<string, string>).API_TOKEN).toBe(SECRET);
    await waitState(w.app.mcp, 'everything', 'ready', 20_000);
    expect(w.app.chat.tools.get('everything__echo')).toBeDefined();
  });

  it("a rename keeps the server's place in the file; remove takes it out, and stops its process", async () => {
    await save({
      action: 'put',
      name: 'legacy',
      previousName: 'remote',
      server: { enabled: false, transport: 'sse', url: 'http://127.0.0.1:3999/sse', headers: { Authorization: null } },
    });
    expect(Object.keys(onDisk())).toEqual(['everything', 'legacy']);
    expect((onDisk().legacy!.headers as Record<string, string>).Authorization).toBe('Bearer new');
    const proc = readProc(w.app.mcp.snapshot().servers.find((s) => s.name === 'everything')!.pid!)!;
    await save({ action: 'remove', name: 'everything' });
    expect(Object.keys(onDisk())).toEqual(['legacy']);
    expect(stillRunning([proc])).toEqual([]);
    expect(await call('mcp:save', { action: 'remove', name: 'everything' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('no secret value reached the log', async () => {
    await until(() => logFiles(w.app.rm.logDir).length > 0, 2_000, 'a log file');
    const log = logFiles(w.app.rm.logDir)
      .map((f) => readFileSync(f, 'utf8'))
      .join('');
    expect(log).toContain('MCP settings saved');
    expect(log).not.toContain(SECRET);
    expect(log).not.toContain('mcp-header-secret');
  });
});

describe('mcp:restart', () => {
  it('reads mcp.json again (a hand edit applies), then starts the server afresh', async () => {
    writeFileSync(
      file,
      JSON.stringify({
        mcpServers: {
          legacy: { type: 'sse', url: 'http://127.0.0.1:3999/sse', disabled: true },
          memory: servers.memory(path.join(tmp.dir, 'm.jsonl')),
        },
      }),
    );
    const env = await call('mcp:restart', { name: 'memory' });
    expect(env.ok).toBe(true);
    await waitState(w.app.mcp, 'memory', 'ready', 20_000);
    expect(await call('mcp:restart', { name: 'legacy' })).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST', message: expect.stringMatching(/is disabled: enable it first/) },
    });
    expect(await call('mcp:restart', { name: 'nobody' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});
