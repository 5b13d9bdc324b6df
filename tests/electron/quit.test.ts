import { EventEmitter } from 'node:events';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { createVegaApp, type VegaApp } from '../../src-main/app/create-app.js';
import { installQuitHandler } from '../../src-main/electron/quit.js';
import { CLEANUP_PHASES, type CleanupStepReport } from '../../src-shared/resources.js';
import { createFakeElectron, type FakeElectron } from './fake-electron.js';
import { tempDir } from './harness.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/**
 * A real app over a temp data dir and .env, wired as the Electron host wires
 * it (its quit ends in the fake's app.exit), with a cleanup step that never finishes.
 */
interface Rig {
  readonly vega: VegaApp;
  /** The spied engine shutdown, and what it reported. */
  readonly shutdown: MockInstance<() => Promise<CleanupStepReport[]>>;
  readonly report: () => CleanupStepReport[] | undefined;
}

async function appWithHangingStep(e: FakeElectron, signals?: EventEmitter): Promise<Rig> {
  const dir = tempDir();
  const envFile = path.join(dir, '.env');
  writeFileSync(envFile, '');
  let report: CleanupStepReport[] | undefined;
  const vega = await createVegaApp({
    host: 'electron',
    envFile,
    env: { VEGA_DATA_DIR: path.join(dir, 'data') },
    dataDir: path.join(dir, 'user-data'),
    exit: (code) => e.app.exit(code),
    signals,
  });
  vega.rm.registerCleanup('hangs-forever', () => new Promise(() => undefined), { phase: 'llm', timeoutMs: 100 });
  const original = vega.rm.shutdown.bind(vega.rm);
  const shutdown = vi.spyOn(vega.rm, 'shutdown').mockImplementation(async () => (report = await original()));
  cleanups.push(async () => {
    await original();
    rmSync(dir, { recursive: true, force: true });
  });
  return { vega, shutdown, report: () => report };
}

describe('quitting the Electron host', () => {
  it('before-quit runs the ordered shutdown once, then exits 0, even when a step hangs', async () => {
    const e = createFakeElectron();
    const { vega, shutdown, report } = await appWithHangingStep(e);
    const quit = installQuitHandler(e.app, vega.quit);

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
    expect(report()?.find((r) => r.step === 'hangs-forever')).toMatchObject({ ok: false, error: 'timed out after 100 ms' });
    // The later steps still ran after the hanging one, in the seed's order.
    const ranks = report()!.map((r) => CLEANUP_PHASES.indexOf(r.phase));
    expect(ranks).toEqual([...ranks].sort());
    expect(report()?.find((r) => r.step === 'http-pool')).toMatchObject({ ok: true });
    expect(report()?.find((r) => r.step === 'dashboard-ticker')).toMatchObject({ ok: true });

    // Quitting again after exit starts nothing.
    e.app.requestQuit();
    await quit();
    expect(shutdown).toHaveBeenCalledTimes(1);
    expect(e.app.exits).toEqual([0]);
  });

  it('SIGINT and SIGTERM take the same path, once, and keep listening', async () => {
    const e = createFakeElectron();
    const signals = new EventEmitter();
    const { vega, shutdown } = await appWithHangingStep(e, signals);
    const quit = installQuitHandler(e.app, vega.quit);
    signals.emit('SIGTERM');
    signals.emit('SIGINT');
    e.app.requestQuit();
    await quit();
    expect(shutdown).toHaveBeenCalledTimes(1);
    expect(e.app.exits).toEqual([0]);
    // Still listening: a late signal does not fall back to Node's default kill.
    expect(signals.listenerCount('SIGINT')).toBe(1);
    expect(signals.listenerCount('SIGTERM')).toBe(1);
  });
});
