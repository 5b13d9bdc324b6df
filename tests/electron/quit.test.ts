import { EventEmitter } from 'node:events';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createVegaApp, type VegaApp } from '../../src-main/app/create-app.js';
import { installQuitHandler } from '../../src-main/electron/quit.js';
import type { CleanupStepReport } from '../../src-shared/resources.js';
import { createFakeElectron } from './fake-electron.js';
import { tempDir } from './harness.js';

const logger = pino({ level: 'silent' });
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** A real engine over a temp data dir and .env, with a cleanup step that never finishes. */
async function engineWithHangingStep(): Promise<VegaApp> {
  const dir = tempDir();
  const envFile = path.join(dir, '.env');
  writeFileSync(envFile, '');
  const vega = await createVegaApp({ host: 'electron', envFile, env: { VEGA_DATA_DIR: path.join(dir, 'data') }, dataDir: path.join(dir, 'user-data') });
  vega.rm.registerCleanup('hangs-forever', () => new Promise(() => undefined), { phase: 'llm', timeoutMs: 100 });
  cleanups.push(async () => {
    await vega.rm.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });
  return vega;
}

describe('quitting', () => {
  it('before-quit runs the engine shutdown once, bounded, then exits 0, even when a step hangs', async () => {
    const vega = await engineWithHangingStep();
    const e = createFakeElectron();
    let report: CleanupStepReport[] | undefined;
    const shutdown = vi.fn(async () => (report = await vega.rm.shutdown()));
    const quit = installQuitHandler({ app: e.app, shutdown, logger });

    const first = e.app.requestQuit();
    expect(first.defaultPrevented).toBe(true);
    expect(e.app.quitted).toBe(false);
    expect(e.app.exits).toEqual([]);

    // A second quit while cleanup runs is held back too, and starts nothing new.
    const second = e.app.requestQuit();
    expect(second.defaultPrevented).toBe(true);
    await quit();
    expect(shutdown).toHaveBeenCalledTimes(1);
    expect(e.app.exits).toEqual([0]);
    expect(vega.rm.closed).toBe(true);
    const hang = report?.find((r) => r.step === 'hangs-forever');
    expect(hang).toMatchObject({ ok: false, error: expect.stringMatching(/timed out/) });
    // The pool step still ran after the hanging one.
    expect(report?.find((r) => r.step === 'http-pool')).toMatchObject({ ok: true });

    // Quitting again after exit starts nothing.
    e.app.requestQuit();
    await quit();
    expect(shutdown).toHaveBeenCalledTimes(1);
    expect(e.app.exits).toEqual([0]);
  });

  it('exits 0 at its own bound if the whole shutdown never settles', async () => {
    const e = createFakeElectron();
    const shutdown = vi.fn(() => new Promise<never>(() => undefined));
    const quit = installQuitHandler({ app: e.app, shutdown, logger, boundMs: 50 });
    const t0 = performance.now();
    e.app.requestQuit();
    await quit();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(45);
    expect(shutdown).toHaveBeenCalledTimes(1);
    expect(e.app.exits).toEqual([0]);
  });

  it('exits 0 when the shutdown throws', async () => {
    const e = createFakeElectron();
    const quit = installQuitHandler({ app: e.app, shutdown: () => Promise.reject(new Error('boom')), logger });
    e.app.requestQuit();
    await quit();
    expect(e.app.exits).toEqual([0]);
  });

  it('SIGINT and SIGTERM take the same path, once', async () => {
    const vega = await engineWithHangingStep();
    const e = createFakeElectron();
    const signals = new EventEmitter();
    const shutdown = vi.fn(() => vega.rm.shutdown());
    const quit = installQuitHandler({ app: e.app, shutdown, logger, signals });
    signals.emit('SIGTERM');
    signals.emit('SIGINT');
    e.app.requestQuit();
    await quit();
    expect(shutdown).toHaveBeenCalledTimes(1);
    expect(e.app.exits).toEqual([0]);
    // Still listening: a late signal does not fall back to Node's default kill.
    expect(signals.listenerCount('SIGINT')).toBe(1);
  });
});
