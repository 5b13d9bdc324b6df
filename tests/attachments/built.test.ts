import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { until } from '../helpers/fault-kit.js';
import { startOllamaStandIn, type OllamaStandIn } from '../helpers/ollama-standin.js';
import { spawnServe } from '../helpers/serve-proc.js';
import { pdf } from './files.js';

// The built web host (out/web/serve.mjs, as `npm run serve` runs it) finds the
// bundled worker in out/main and reads a PDF with it: what ships, not the source.

const root = path.resolve(__dirname, '../..');
const KEY = 'attachments-built-key-7731';
let ollama: OllamaStandIn;
let dir: string;
let proc: ChildProcess | undefined;

beforeAll(async () => {
  const built = spawnSync(process.execPath, ['scripts/build.mjs', '--if-stale', '--quiet'], { cwd: root, encoding: 'utf8' });
  expect(built.status, built.stderr).toBe(0);
  ollama = await startOllamaStandIn({ models: ['llama3.2'] });
  dir = mkdtempSync(path.join(os.tmpdir(), 'vega-attach-built-'));
  mkdirSync(path.join(dir, 'data'));
  writeFileSync(path.join(dir, '.env'), `OLLAMA_HOST=${ollama.url}\n`);
}, 240_000);
afterAll(async () => {
  if (proc && proc.exitCode === null) {
    const exited = new Promise((resolve) => proc!.once('exit', resolve));
    proc.kill('SIGTERM');
    await exited;
  }
  await ollama?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('npm run serve: a PDF sent to POST /chat is read by the bundled worker and its text reaches the model', async () => {
  const serve = spawnServe(dir, KEY);
  proc = serve;
  let out = '';
  serve.stdout.on('data', (d: Buffer) => (out += d.toString()));
  serve.stderr.on('data', (d: Buffer) => (out += d.toString()));
  await until(() => /listening on http:\/\/\S+/.test(out) || serve.exitCode !== null, 120_000, 'npm run serve to listen');
  expect(serve.exitCode, out).toBeNull();
  const base = /listening on (http:\/\/\S+)/.exec(out)![1]!;
  const res = await request(`${base}/chat`, {
    method: 'POST',
    headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
    body: JSON.stringify({
      prompt: 'read it',
      files: [{ name: 'built.pdf', data: pdf(['Read by the shipped worker']).toString('base64') }],
    }),
  });
  const body = (await res.body.json()) as Record<string, unknown>;
  expect(res.statusCode, JSON.stringify(body)).toBe(200);
  expect(body.attachment_errors).toBeUndefined();
  const sent = ollama.requests.filter((r) => r.path === '/api/chat').at(-1)!.body as { messages: { content: string }[] };
  expect(sent.messages.at(-1)!.content).toContain('--- file: built.pdf (PDF, ~7 tokens) ---\nRead by the shipped worker');
}, 180_000);
