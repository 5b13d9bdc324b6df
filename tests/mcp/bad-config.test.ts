import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderHealth } from '../../src-shared/chat.js';
import { startOllamaStandIn, type OllamaStandIn } from '../helpers/ollama-standin.js';
import { tempWebHost, type TempWebHost } from '../helpers/web.js';
import { closedPort, killOwned, mcpEngine, servers, tempDir, toolCtx, waitState, type McpEngine } from './harness.js';

// Each bad entry shows a clear state and message (with its fix) on the card
// and in health, and nothing else stops working: the good server beside them
// answers, and a file that cannot be read leaves chat and the engine alone.

afterAll(() => killOwned());

describe('bad entries beside a good one', () => {
  let m: McpEngine;
  let port: number;
  beforeAll(async () => {
    port = await closedPort();
    m = await mcpEngine({
      good: servers.fixture('well-behaved'),
      missing: { command: 'vega-no-such-program-4711' },
      exits: { command: process.execPath, args: ['-e', 'console.error("unknown option --frobnicate"); process.exit(1)'] },
      typo: { comand: 'npx', args: ['x'] },
      both: { command: 'node', url: 'http://127.0.0.1:1/mcp' },
      extra: { command: 'node', timeout: 5 },
      refused: { url: `http://127.0.0.1:${port}/mcp` },
      malformed: servers.fixture('malformed-tools'),
    });
    await waitState(m.mcp, 'good', 'ready');
    await Promise.all(['missing', 'exits', 'refused', 'malformed'].map((n) => waitState(m.mcp, n, 'failed')));
  });
  afterAll(() => m.dispose());

  const server = (name: string) => m.mcp.status().servers.find((s) => s.name === name)!;

  it.each([
    ['missing', /^"vega-no-such-program-4711" was not found/, /give its full path as "command"/],
    ['exits', /^It exited with code 1 before it was ready: unknown option --frobnicate/, /Run the same command in a terminal/],
    [
      'typo',
      /^Its entry in mcp\.json has an unknown key "comand" \(known: type, command, args, env, cwd, disabled, url, headers\)/,
      /Edit it in Settings/,
    ],
    [
      'extra',
      /^Its entry in mcp\.json has an unknown key "timeout" \(known: type, command, args, env, cwd, disabled\)/,
      /Edit it in Settings/,
    ],
    ['both', /has both "command" and "url"/, /Edit it in Settings/],
    ['refused', /is not reachable at http:\/\/127\.0\.0\.1:\d+\/mcp/, /Start the server, or correct its "url"/],
    ['malformed', /^Its answer does not follow the MCP protocol: tools\.0\.name/, /broken or too old\/new/],
  ])('%s: failed, with what is wrong and the fix', (name, message, fix) => {
    const s = server(name);
    expect(s.state).toBe('failed');
    expect(s.lastError).toMatch(message);
    expect(s.fix).toMatch(fix);
    expect(s.tools).toBe(0);
  });

  it('a program that is not there or an answer that is not MCP is not retried; a crash or a refusal is, then given up', () => {
    expect(server('missing').lastError).not.toMatch(/failed starts in a row/);
    expect(server('malformed').lastError).not.toMatch(/failed starts in a row/);
    expect(server('exits').lastError).toMatch(/\(2 failed starts in a row: Vega stopped trying\.\)$/);
    expect(server('refused').lastError).toMatch(/\(2 failed starts in a row: Vega stopped trying\.\)$/);
  });

  it('health has one entry per server with the same message and fix; the good server is reachable', () => {
    const health = new Map<string, ProviderHealth>(m.mcp.health().map((h) => [h.id, h]));
    expect(health.get('mcp:good')).toMatchObject({ kind: 'integration', configured: true, reachable: true, lastError: null });
    for (const name of ['missing', 'exits', 'typo', 'extra', 'both', 'refused', 'malformed']) {
      const h = health.get(`mcp:${name}`)!;
      expect(h.reachable, name).toBe(false);
      expect(h.lastError, name).toContain(server(name).lastError);
      expect(h.lastError, name).toContain(server(name).fix);
    }
  });

  it('the good server works, and only its tools are offered', async () => {
    expect(await m.tools.get('good__echo')!.run({ text: 'fine' }, toolCtx())).toBe('echo: fine');
    expect((await m.tools.specs()).map((t) => t.name).sort()).toEqual(['good__echo', 'good__pid', 'good__slow']);
  });
});

describe('a file that cannot be used', () => {
  it.each([
    ['invalid JSON', '{"mcpServers": {"a": {"command": "node",}}}', /is not valid JSON/],
    ['an unknown key at the top', JSON.stringify({ mcpServers: {}, servers: {} }), /has an unknown key "servers" \(known: mcpServers\)/],
    ['mcpServers not an object', JSON.stringify({ mcpServers: ['a'] }), /"mcpServers" must be an object of servers by name/],
  ])('%s: nothing in it runs; the file error is on the card, in health and in the log', async (_what, text, message) => {
    const m = await mcpEngine(text);
    try {
      const status = m.mcp.status();
      expect(status.configError).toMatch(message);
      expect(status.configFix).toMatch(/Correct the file/);
      expect(status.servers).toEqual([]);
      expect(m.mcp.snapshot().configError).toMatch(message);
      expect(m.mcp.health()[0]).toMatchObject({ id: 'mcp', reachable: false });
      expect(m.mcp.health()[0]!.lastError).toMatch(message);
      // Settings will not overwrite a file it cannot read.
      await expect(m.mcp.save({ action: 'remove', name: 'a' })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    } finally {
      await m.dispose();
    }
  });
});

describe('in the whole app: a broken mcp.json stops nothing else', () => {
  let ollama: OllamaStandIn;
  let w: TempWebHost;
  const tmp = tempDir('vega-mcp-bad-');
  beforeAll(async () => {
    ollama = await startOllamaStandIn();
    const file = path.join(tmp.dir, 'mcp.json');
    writeFileSync(file, '{ not json');
    w = await tempWebHost(`OLLAMA_HOST=${ollama.url}\nVEGA_MCP_CONFIG=${file}\n`);
  });
  afterAll(async () => {
    await w.dispose();
    await ollama.close();
    tmp.dispose();
  });
  afterEach(() => killOwned());

  it('chat answers, the engine is healthy, and the providers report carries the MCP file error', async () => {
    const ctx = { host: 'web' as const, requestId: 'bad-mcp' };
    const r = await request(`${w.host.url}/chat`, {
      method: 'POST',
      headers: { 'x-api-key': w.key, 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'still there?' }),
    });
    expect(r.statusCode).toBe(200);
    expect(await r.body.text()).toContain('You said: still there?');
    expect(w.app.rm.health().status).toBe('healthy');
    const report = await w.app.handlers['resources:providers']({}, ctx);
    expect(report.providers.find((p) => p.id === 'mcp')?.lastError).toMatch(/is not valid JSON/);
    const stats = (await (await request(`${w.host.url}/admin/resources/stats`, { headers: { 'x-api-key': w.key } })).body.json()) as {
      mcp: { config_error: string };
    };
    expect(stats.mcp.config_error).toMatch(/is not valid JSON/);
  });
});
