import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ToolRegistry } from '../../src-main/chat/tools.js';
import { ResourceManager } from '../../src-main/engine/index.js';
import { createMcp } from '../../src-main/mcp/index.js';

const nm = path.resolve('node_modules/@modelcontextprotocol');
const fx = path.resolve('tests/mcp/fixtures');
async function httpServer(mode: string) {
  const p = spawn(process.execPath, ['--import', `${fx}/loopback.mjs`, `${nm}/server-everything/dist/index.js`, mode], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH, PORT: '0' } });
  let err = '';
  const port = await new Promise<number>((resolve) => p.stderr.on('data', (d) => { err += d; const m = /LISTENING (\d+)/.exec(err); if (m) resolve(Number(m[1])); }));
  return { p, port };
}
const a = await httpServer('streamableHttp');
const b = await httpServer('sse');
const dir = mkdtempSync(path.join(os.tmpdir(), 'h-exp-'));
writeFileSync(path.join(dir, '.env'), '');
writeFileSync(path.join(dir, 'mcp.json'), JSON.stringify({ mcpServers: {
  streamable: { url: `http://127.0.0.1:${a.port}/mcp` },
  oldsse: { url: `http://127.0.0.1:${b.port}/sse` },
  wrongpath: { url: `http://127.0.0.1:${a.port}/nope` },
}}));
const rm = await ResourceManager.create({ envFile: path.join(dir, '.env'), env: { VEGA_DATA_DIR: path.join(dir, 'data') }, console: false });
const reg = new ToolRegistry();
const mcp = await createMcp(rm, reg, { configFile: path.join(dir, 'mcp.json'), timing: { backoffMs: [100], maxFailedStarts: 2, startMs: 5000 } });
await mcp.settled(); await new Promise((r) => setTimeout(r, 300)); await mcp.settled();
for (const s of mcp.status().servers) console.log(s.name, s.state, s.transport, s.tools, s.lastError, '|', s.fix);
const ctx = { signal: new AbortController().signal, requestId: 'x' };
for (let i = 0; i < 3; i++) console.log(await reg.get('streamable__echo')!.run({ message: 'hi' + i }, ctx));
console.log(await reg.get('oldsse__get-sum')?.run({ a: 1, b: 2 }, ctx));
console.log(rm.stats().httpClientsCreated, rm.origins().map((o) => [o.origin, o.requests, o.failed]));
const t1 = performance.now();
const rep = await rm.shutdown();
console.log('shutdown', Math.round(performance.now() - t1), rep.filter((r) => r.step.startsWith('mcp') || r.step === 'http-pool').map((r) => [r.step, r.ms, r.ok]));
a.p.kill(); b.p.kill();
