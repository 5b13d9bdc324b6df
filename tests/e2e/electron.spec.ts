import { _electron as electron, expect, test } from '@playwright/test';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { VegaApi } from '../../src-shared/api.js';
import { electronBinary } from '../../scripts/electron-binary.mjs';

// The real run of the Electron glue (everything else is tested on a fake
// surface). It needs the Electron binary, which cannot be downloaded on every
// machine: where it is missing the test is skipped and says why.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const mainBundle = path.join(root, 'out', 'main', 'index.cjs');
const binary = electronBinary();

test('the Electron app opens a locked-down window with window.vega, and quits with code 0', async () => {
  if (!binary.ok) {
    const reason = `Electron binary not available: ${binary.reason}`;
    console.log(`[electron.spec] skipped. ${reason}`);
    test.skip(true, reason);
    return;
  }
  test.skip(!existsSync(mainBundle), 'out/main/index.cjs is not built (run `npm run build`)');
  test.setTimeout(90_000);

  const dir = mkdtempSync(path.join(os.tmpdir(), 'vega-e2e-electron-'));
  const envFile = path.join(dir, '.env');
  writeFileSync(envFile, '');
  const dataDir = path.join(dir, 'data');
  const app = await electron.launch({
    executablePath: binary.path,
    // The Chromium profile (and the single-instance lock) in the temp folder too,
    // so a Vega the user has open does not turn this run into a second instance.
    args: [mainBundle, `--user-data-dir=${path.join(dir, 'user-data')}`],
    cwd: root,
    env: { ...(process.env as Record<string, string>), VEGA_DATA_DIR: dataDir, VEGA_ENV_FILE: envFile, ELECTRON_ENABLE_SECURITY_WARNINGS: 'true' },
  });
  const child = app.process();
  let exitCode: number | null = null;
  const exited = new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
  try {
    const page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
    await expect(page).toHaveTitle(/Vega/);
    expect(page.url()).toBe('app://vega/index.html');

    // The page gets the contract and nothing of Node or Electron.
    const globals = await page.evaluate(() => {
      const w = window as unknown as Record<string, unknown>;
      return { vega: typeof w.vega, require: typeof w.require, process: typeof w.process, module: typeof w.module, ipcRenderer: typeof w.ipcRenderer };
    });
    expect(globals).toEqual({ vega: 'object', require: 'undefined', process: 'undefined', module: 'undefined', ipcRenderer: 'undefined' });

    // A real round trip: preload → IPC (sender check) → engine.
    const info = await page.evaluate(() => (window as unknown as { vega: VegaApi }).vega.app.info());
    expect(info.host).toBe('electron');
    expect(info.dataDir).toBe(dataDir);

    // The app:// scheme sends the strict CSP.
    const csp = await page.evaluate(async () => (await fetch('app://vega/index.html')).headers.get('content-security-policy'));
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");

    // Leaving the origin is refused; popups are denied.
    await page.evaluate(() => {
      location.href = 'https://example.com/';
    });
    await page.waitForTimeout(300);
    expect(page.url()).toBe('app://vega/index.html');
    expect(await page.evaluate(() => window.open('file:///etc/passwd') === null)).toBe(true);
  } finally {
    // close() asks the app to quit: before-quit → engine cleanup → app.exit(0).
    await app.close().catch(() => undefined);
    exitCode = await exited;
    rmSync(dir, { recursive: true, force: true });
  }
  expect(exitCode).toBe(0);
});
