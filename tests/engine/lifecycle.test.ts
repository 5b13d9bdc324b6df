import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import { Lifecycle } from '../../src-main/engine/lifecycle.js';
import { logFiles } from '../../src-main/engine/logger.js';
import { tempEngine } from '../helpers/engine.js';

function capture(): { logger: pino.Logger; lines: () => string[] } {
  const out: string[] = [];
  const logger = pino({ level: 'info' }, { write: (l: string) => void out.push(JSON.parse(l).msg) });
  return { logger, lines: () => out };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('Lifecycle', () => {
  it('runs phases in the seed order whatever the registration order, with the seed lines', async () => {
    const { logger, lines } = capture();
    const lc = new Lifecycle(logger);
    const order: string[] = [];
    lc.register('bg', () => void order.push('background'), { phase: 'background' });
    lc.register('pool', () => void order.push('resources'), { phase: 'resources' });
    lc.register('ollama', () => void order.push('llm'), { phase: 'llm' });
    const report = await lc.shutdown();
    expect(order).toEqual(['llm', 'resources', 'background']);
    expect(report.map((r) => [r.step, r.phase, r.ok])).toEqual([
      ['ollama', 'llm', true],
      ['pool', 'resources', true],
      ['bg', 'background', true],
    ]);
    expect(lines()).toEqual([
      'Starting graceful shutdown...',
      '✓ LLM providers shut down',
      '✓ Resource manager shut down',
      '✓ Background processes stopped',
      'Shutdown complete',
    ]);
  });

  it('a throwing step does not stop the rest and is reported', async () => {
    const { logger, lines } = capture();
    const lc = new Lifecycle(logger);
    let after = false;
    lc.register(
      'bad',
      () => {
        throw new Error('socket stuck');
      },
      { phase: 'llm' },
    );
    lc.register(
      'good',
      () => {
        after = true;
      },
      { phase: 'llm' },
    );
    const report = await lc.shutdown();
    expect(after).toBe(true);
    expect(report[0]).toMatchObject({ step: 'bad', ok: false, error: 'socket stuck' });
    expect(lines()).toContain('✗ LLM shutdown failed: bad: socket stuck');
    expect(lines().at(-1)).toBe('Shutdown complete');
  });

  it('a hanging step is cut at its timeout, its signal aborted, and shutdown completes', async () => {
    vi.useFakeTimers();
    const { logger } = capture();
    const lc = new Lifecycle(logger);
    let aborted = false;
    let ran = false;
    lc.register(
      'hang',
      (signal) =>
        new Promise(() =>
          signal.addEventListener('abort', () => {
            aborted = true;
          }),
        ),
      { phase: 'resources', timeoutMs: 100 },
    );
    lc.register(
      'later',
      () => {
        ran = true;
      },
      { phase: 'background' },
    );
    const shutdown = lc.shutdown();
    await vi.advanceTimersByTimeAsync(100);
    const report = await shutdown;
    expect(report[0]).toMatchObject({ step: 'hang', ok: false, error: 'timed out after 100 ms' });
    expect(aborted).toBe(true);
    expect(ran).toBe(true);
  });

  it('the total bound cuts a step before its own, longer bound, and later steps still run', async () => {
    vi.useFakeTimers();
    const { logger } = capture();
    const lc = new Lifecycle(logger, { totalMs: 100 });
    let ran = false;
    lc.register('slow', () => new Promise(() => {}), { phase: 'llm', timeoutMs: 10_000 });
    lc.register(
      'later',
      () => {
        ran = true;
      },
      { phase: 'background' },
    );
    const shutdown = lc.shutdown();
    await vi.advanceTimersByTimeAsync(100);
    const report = await shutdown;
    expect(report[0]).toMatchObject({ step: 'slow', ok: false, error: 'timed out after 100 ms' });
    expect(ran).toBe(true);
  });

  it('a second shutdown() returns the same promise and runs nothing twice', async () => {
    const { logger } = capture();
    const lc = new Lifecycle(logger);
    let runs = 0;
    lc.register('once', async () => {
      runs++;
      await new Promise((r) => setTimeout(r, 20));
    });
    const a = lc.shutdown();
    const b = lc.shutdown();
    expect(a).toBe(b);
    expect(await a).toBe(await b);
    expect(runs).toBe(1);
  });

  it('a removed step does not run', async () => {
    const { logger } = capture();
    const lc = new Lifecycle(logger);
    let ran = false;
    const remove = lc.register('gone', () => {
      ran = true;
    });
    remove();
    expect(lc.registered).toBe(0);
    await lc.shutdown();
    expect(ran).toBe(false);
  });
});

describe('ResourceManager', () => {
  it('health and stats have the seed fields', async () => {
    const e = await tempEngine();
    try {
      expect(e.rm.health()).toMatchObject({
        status: 'healthy',
        checks: { healthy: true, httpClient: true, configCache: true, cleanupTasks: 1 },
      });
      const s = e.rm.stats();
      expect(s).toMatchObject({ httpClientsCreated: 1, httpRequestsMade: 0, cleanupTasksRegistered: 1, shutdownTime: null });
      expect(s.startupTime).toBeGreaterThan(1.7e9);
      const snap = e.rm.tick();
      expect(snap.process.rss).toBeGreaterThan(0);
      expect(snap.health).toBe('healthy');
    } finally {
      await e.dispose();
    }
  });

  it('shutdown logs the seed lines in order to the log file, and never a secret', async () => {
    const secret = 'sk-marker-7f3a9c1e';
    const e = await tempEngine({ envText: `OPENAI_API_KEY=${secret}\n` });
    e.rm.logger.info({ apiKey: secret }, `calling with ${secret}`);
    e.rm.registerCleanup('provider', () => undefined, { phase: 'llm' });
    await e.rm.shutdown();
    const text = logFiles(e.rm.logDir)
      .map((f) => readFileSync(f, 'utf8'))
      .join('');
    const msgs = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).msg as string);
    const seq = [
      'Starting graceful shutdown...',
      '✓ LLM providers shut down',
      '✓ Resource manager shut down',
      '✓ Background processes stopped',
      'Shutdown complete',
    ];
    expect(msgs.filter((m) => seq.includes(m))).toEqual(seq);
    expect(text).not.toContain(secret);
    expect(text).toContain('[redacted]');
    await e.dispose();
  });
});
