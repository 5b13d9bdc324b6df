import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVegaApp, type VegaApp } from '../../src-main/app/create-app.js';
import { until } from '../helpers/fault-kit.js';
import { startOllamaStandIn, type OllamaStandIn } from '../helpers/ollama-standin.js';

// Issue 15, item 8: history and logs are the user's alone. A data dir left
// by an older Vega (files 0644, folders 0755) is tightened at start; what
// Vega writes afterwards (history, index, logs, diagnostics) is 0600 in 0700 folders.

let dir = '';
let data = '';
let app: VegaApp;
let ollama: OllamaStandIn;

/** Every folder and file under `root` (itself included), with its permission bits. */
function modes(root: string): { path: string; dir: boolean; mode: number }[] {
  const st = statSync(root);
  const self = { path: root, dir: st.isDirectory(), mode: st.mode & 0o777 };
  if (!self.dir) return [self];
  return [self, ...readdirSync(root).flatMap((n) => modes(path.join(root, n)))];
}

const loose = (root: string) =>
  modes(root)
    .filter((e) => e.mode !== (e.dir ? 0o700 : 0o600))
    .map((e) => `${path.relative(data, e.path) || '.'} ${e.mode.toString(8)}`);

beforeAll(async () => {
  ollama = await startOllamaStandIn();
  dir = mkdtempSync(path.join(os.tmpdir(), 'vega-hardening-perms-'));
  data = path.join(dir, 'data');
  // What an older Vega left: world-readable folders and files.
  for (const sub of ['logs', 'conversations', 'diagnostics']) mkdirSync(path.join(data, sub), { recursive: true, mode: 0o755 });
  writeFileSync(path.join(data, 'logs', 'vega.1.log'), '{"level":30,"msg":"old"}\n', { mode: 0o644 });
  writeFileSync(
    path.join(data, 'conversations', 'old01.jsonl'),
    `${JSON.stringify({ type: 'header', v: 1, id: 'old01', title: 'Old', model: 'llama3.2', provider: 'ollama', systemPrompt: '', createdAt: '2025-01-01T00:00:00.000Z' })}\n`,
    { mode: 0o644 },
  );
  writeFileSync(path.join(data, 'conversations', 'index.json'), '{}', { mode: 0o644 });
  writeFileSync(path.join(data, 'diagnostics', 'vega-diagnostics-old.json'), '{}', { mode: 0o644 });
  for (const d of [data, ...['logs', 'conversations', 'diagnostics'].map((s) => path.join(data, s))]) chmodSync(d, 0o755);
  writeFileSync(path.join(dir, '.env'), `OLLAMA_HOST=${ollama.url}\n`);
  app = await createVegaApp({ host: 'web', envFile: path.join(dir, '.env'), env: { VEGA_DATA_DIR: data } });
}, 30_000);

afterAll(async () => {
  await app?.rm.shutdown();
  await ollama?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('8. history and logs are readable by their owner only', () => {
  it.skipIf(process.platform === 'win32')('what an older version left is tightened at start', () => {
    expect(loose(data)).toEqual([]);
  });

  it.skipIf(process.platform === 'win32')('what Vega writes afterwards is 0600 in 0700 folders', async () => {
    const service = app.chat.service;
    const c = await service.create({ title: 'Private' });
    await service.send(c.id, 'hello');
    await service.running(c.id)?.done;
    await app.handlers['app:exportDiagnostics']({}, { host: 'web', requestId: 'perm-test' });
    await service.store.flush();
    app.rm.logger.warn('a line for the log file');
    await until(() => readdirSync(path.join(data, 'conversations')).some((n) => n.startsWith(`${c.id}.`)), 5_000, 'the conversation file');
    expect(readdirSync(path.join(data, 'diagnostics')).length).toBe(2);
    expect(loose(data)).toEqual([]);
  });
});
