import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ToolRegistry } from '../../src-main/chat/tools.js';
import { ResourceManager } from '../../src-main/engine/index.js';
import { createMcp } from '../../src-main/mcp/index.js';

const nm = path.resolve('node_modules/@modelcontextprotocol');
const fx = path.resolve('tests/mcp/fixtures');
const dir = mkdtempSync(path.join(os.tmpdir(), 'h-exp-'));
writeFileSync(path.join(dir, '.env'), '');
writeFileSync(path.join(dir, 'mcp.json'), JSON.stringify({ mcpServers: {
  everything: { command: process.execPath, args: [`${nm}/server-everything/dist/index.js`, 'stdio'] },
  memory: { command: process.execPath, args: [`${nm}/server-memory/dist/index.js`], env: { MEMORY_FILE_PATH: path.join(dir, 'mem.jsonl') } },
  fs: { command: process.execPath, args: [`${nm}/server-filesystem/dist/index.js`, dir] },
  missing: { command: 'vega-no-such-program' },
  exits: { command: process.execPath, args: ['-e', 'console.error("boom: bad flag"); process.exit(3)'] },
  malformed: { command: process.execPath, args: [`${fx}/malformed-tools.mjs`] },
  typo: { comand: 'x' },
  refused: { url: 'http://127.0.0.1:45999/mcp' },
}}));
const rm = await ResourceManager.create({ envFile: path.join(dir, '.env'), env: { VEGA_DATA_DIR: path.join(dir, 'data') }, console: false });
const reg = new ToolRegistry();
const t0 = performance.now();
const mcp = await createMcp(rm, reg, { configFile: path.join(dir, 'mcp.json'), timing: { backoffMs: [100], maxFailedStarts: 2, startMs: 5000 } });
console.log('created in', Math.round(performance.now() - t0));
await mcp.settled();
await new Promise((r) => setTimeout(r, 500));
await mcp.settled();
console.log('settled in', Math.round(performance.now() - t0));
for (const s of mcp.status().servers) console.log(s.name, s.state, s.pid, s.tools, s.lastError, '|', s.fix);
console.log((await reg.specs()).map((s) => s.name).join(' '));
const ctx = { signal: new AbortController().signal, requestId: 'x' };
console.log(await reg.get('everything__echo')!.run({ message: 'hi' }, ctx));
console.log(await reg.get('fs__list_allowed_directories')!.run({}, ctx));
console.log(reg.get('memory__delete_entities')!.stateChanging, reg.get('memory__read_graph')!.stateChanging);
console.log(JSON.stringify(mcp.snapshot()).slice(0, 600));
await new Promise((r) => setTimeout(r, 300));
console.log(JSON.stringify(mcp.snapshot().servers.map((s) => [s.name, s.memoryBytes, s.cpuPercent, s.processes])));
const t1 = performance.now();
const rep = await rm.shutdown();
console.log('shutdown', Math.round(performance.now() - t1), rep.filter((r) => r.step.startsWith('mcp')));
