import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { request } from 'undici';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Lifecycle } from '../../src-main/engine/lifecycle.js';
import { logFiles } from '../../src-main/engine/logger.js';
import { tempEngine, type TempEngine } from '../helpers/engine.js';
import { within } from '../helpers/fault-kit.js';
import { startOllamaStandIn, type OllamaStandIn } from '../helpers/ollama-standin.js';
import { eventually } from '../helpers/servers.js';
import { spawnServe } from '../helpers/serve-proc.js';

// A cleanup step that throws or hangs must not stop the shutdown: it ends
// within its bound, the later steps still run, and the process exits 0 with
// the failure in the log.

function capture(): { logger: pino.Logger; lines: () => string[] } {
  const lines: string[] = [];
  const logger = pino({ level: 'debug', base: undefined }, { write: (s: string) => void lines.push(s) });
  return { logger, lines: () => lines.map((l) => (JSON.parse(l) as { msg: string }).msg) };
}

let engine: TempEngine | undefined;
let ollama: OllamaStandIn | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await engine?.dispose();
  await ollama?.close();
  engine = ollama = undefined;
});

// The Lifecycle's bounds are checked on a fake clock: exact, and the same on a busy machine.
const fakeClock = () => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });

/** Whether the shutdown has ended yet, read as fake time moves. */
function track<T>(p: Promise<T>): { settled: () => boolean; report: Promise<T> } {
  let done = false;
  const report = p.finally(() => (done = true));
  return { settled: () => done, report };
}

describe('Lifecycle: a step that throws or hangs', () => {
  it('a throwing step and a hanging step (which ignores its signal) are isolated; every later step runs, in order, within the bounds', async () => {
    fakeClock();
    const { logger, lines } = capture();
    const lc = new Lifecycle(logger, { totalMs: 5_000 });
    const ran: string[] = [];
    let hungSignal: AbortSignal | undefined;
    lc.register(
      'throws',
      () => {
        ran.push('throws');
        throw new Error('boom');
      },
      { phase: 'llm' },
    );
    lc.register(
      'rejects',
      async () => {
        ran.push('rejects');
        throw new Error('async boom');
      },
      { phase: 'llm' },
    );
    lc.register(
      'hangs',
      (signal) => {
        ran.push('hangs');
        hungSignal = signal;
        return new Promise(() => {});
      },
      { phase: 'llm', timeoutMs: 200 },
    );
    lc.register('after-in-llm', () => void ran.push('after-in-llm'), { phase: 'llm' });
    lc.register(
      'pool',
      async () => {
        await new Promise((r) => setTimeout(r, 10));
        ran.push('pool');
      },
      { phase: 'resources' },
    );
    lc.register('background', () => void ran.push('background'), { phase: 'background' });

    const { settled, report: done } = track(lc.shutdown());
    // Held by the hanging step until its bound, and no longer: then the 10 ms pool step.
    await vi.advanceTimersByTimeAsync(199);
    expect(settled()).toBe(false);
    expect(ran).toEqual(['throws', 'rejects', 'hangs']);
    await vi.advanceTimersByTimeAsync(1 + 10);
    expect(settled()).toBe(true);
    const report = await done;
    expect(ran).toEqual(['throws', 'rejects', 'hangs', 'after-in-llm', 'pool', 'background']);
    expect(report.map((r) => [r.step, r.ok])).toEqual([
      ['throws', false],
      ['rejects', false],
      ['hangs', false],
      ['after-in-llm', true],
      ['pool', true],
      ['background', true],
    ]);
    expect(report.find((r) => r.step === 'hangs')?.error).toBe('timed out after 200 ms');
    expect(hungSignal?.aborted).toBe(true);
    const msgs = lines();
    expect(msgs).toContain('✗ LLM shutdown failed: throws: boom; rejects: async boom; hangs: timed out after 200 ms');
    expect(msgs).toContain('✓ Resource manager shut down');
    expect(msgs).toContain('✓ Background processes stopped');
    expect(msgs.at(-1)).toBe('Shutdown complete');
    // A second call is the same shutdown, not a second run.
    expect(await lc.shutdown()).toBe(report);
  });

  it('ten hanging steps: the total bound holds and every step still gets its minimum slice', async () => {
    fakeClock();
    const { logger, lines } = capture();
    const lc = new Lifecycle(logger, { totalMs: 400 });
    const started: string[] = [];
    for (let i = 0; i < 10; i++) {
      lc.register(`stuck-${i}`, () => (started.push(`stuck-${i}`), new Promise(() => {})), {
        phase: (['llm', 'resources', 'background'] as const)[i % 3],
        timeoutMs: 5_000,
      });
    }
    const { settled, report: done } = track(lc.shutdown());
    // The first step gets the whole 400 ms; then each of the other nine its 50 ms.
    await vi.advanceTimersByTimeAsync(399);
    expect(settled()).toBe(false);
    await vi.advanceTimersByTimeAsync(1 + 9 * 50);
    expect(settled()).toBe(true);
    const report = await done;
    expect(report).toHaveLength(10);
    expect(started).toHaveLength(10);
    expect(report.every((r) => !r.ok && /timed out/.test(r.error ?? ''))).toBe(true);
    expect(lines().at(-1)).toBe('Shutdown complete');
  });

  it('on a real engine: a hanging step in the first phase does not keep the pool open — the server sees every socket closed', async () => {
    ollama = await startOllamaStandIn();
    engine = await tempEngine({ envText: `OLLAMA_HOST=${ollama.url}\n` });
    const rm = engine.rm;
    for (let i = 0; i < 5; i++) {
      const r = await request(`${ollama.url}/api/tags`, { dispatcher: rm.httpClient() });
      await r.body.text();
    }
    expect(ollama.open()).toBeGreaterThan(0);
    rm.registerCleanup('hangs', () => new Promise(() => {}), { phase: 'llm', timeoutMs: 150 });
    rm.registerCleanup(
      'throws',
      () => {
        throw new Error('cleanup failed on purpose');
      },
      { phase: 'llm' },
    );
    const report = await within(5_000, rm.shutdown(), 'engine shutdown');
    expect(report.find((r) => r.step === 'http-pool')).toMatchObject({ ok: true });
    await eventually(() => ollama!.open() === 0, 3_000, 'server-side sockets to close');
    expect(rm.health().status).toBe('unhealthy');
    const log = logFiles(rm.logDir)
      .map((f) => readFileSync(f, 'utf8'))
      .join('');
    expect(log).toContain('✗ LLM shutdown failed: hangs: timed out after 150 ms; throws: cleanup failed on purpose');
    expect(log).toContain('✓ Resource manager shut down');
    expect(log).toContain('Shutdown complete');
  });
});

describe('npm run serve (a spawned scripts/serve.mjs) with a cleanup step that hangs', () => {
  const root = path.resolve(__dirname, '../..');

  it('SIGTERM: exits 0 within the step bound, logs the failed step, and still runs the later phases', async () => {
    const built = spawnSync(process.execPath, ['scripts/build.mjs', '--if-stale', '--quiet'], { cwd: root, encoding: 'utf8' });
    expect(built.status, built.stderr).toBe(0);
    ollama = await startOllamaStandIn();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vega-hang-'));
    const key = 'hang-test-key-8812';
    writeFileSync(path.join(dir, '.env'), `OLLAMA_HOST=${ollama.url}\n`);
    // The fault is injected by a preload that hangs the chat index's rename once SIGTERM arrives:
    // there is no test hook in the product, and none is needed.
    const proc = spawnServe(dir, key, ['--import', path.join(__dirname, 'fixtures/hang-on-shutdown.mjs')]);
    let out = '';
    proc.stdout.on('data', (d) => (out += d));
    proc.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    try {
      await eventually(() => /listening on (http:\/\/\S+)/.test(out) || proc.exitCode !== null, 60_000, 'serve to start');
      const base = /listening on (http:\/\/\S+)/.exec(out)![1]!;
      // A conversation exists, so the index has something to flush.
      const r = await request(`${base}/chat`, {
        method: 'POST',
        headers: { 'x-api-key': key, 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: 'hi' }),
      });
      expect(r.statusCode).toBe(200);
      await r.body.text();

      proc.kill('SIGTERM');
      const code = await within(20_000, exited, 'the process to exit');
      expect(code, out).toBe(0);
      // The hung step is abandoned at its 5 s bound (the log line below names it); the later phases still run.
      expect(out).toContain('[fault] index rename hangs');
      const order = [
        'SIGTERM received',
        'Starting graceful shutdown...',
        '✗ LLM shutdown failed: chat-turns: timed out after 5000 ms',
        '✓ Resource manager shut down',
        '✓ Background processes stopped',
        'Shutdown complete',
      ];
      const at = order.map((l) => out.indexOf(l));
      expect(
        at.every((i) => i >= 0),
        out,
      ).toBe(true);
      expect([...at].sort((a, b) => a - b)).toEqual(at);
      // The log file has the failure too.
      const log = logFiles(path.join(dir, 'data', 'logs'))
        .map((f) => readFileSync(f, 'utf8'))
        .join('');
      expect(log).toContain('chat-turns: timed out after 5000 ms');
      expect(ollama.open()).toBe(0);
    } finally {
      if (proc.exitCode === null) proc.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
