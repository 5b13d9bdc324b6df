import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startElectronHost } from '../../src-main/electron/host.js';
import { createFakeElectron } from './fake-electron.js';
import { tempDir } from './harness.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('an app that cannot start', () => {
  it('shows its error box once Electron is ready (before, Linux only prints it to stderr), then exits 1', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const notADir = path.join(dir, 'file');
    writeFileSync(notADir, '');
    const e = createFakeElectron(path.join(dir, 'user-data'));
    const whenReady = vi.spyOn(e.app, 'whenReady');
    const starting = startElectronHost(e, {
      preloadPath: 'p.cjs',
      rendererDir: '/nonexistent',
      appOptions: { envFile: path.join(dir, '.env'), env: { VEGA_DATA_DIR: path.join(notADir, 'data') }, console: false },
    });
    // The engine fails while Chromium is still starting: the host waits for ready.
    await vi.waitFor(() => expect(whenReady).toHaveBeenCalled());
    expect(e.dialog.printedBeforeReady).toEqual([]);
    expect(e.app.exits).toEqual([]);
    e.app.makeReady();
    expect(await starting).toBeNull();
    expect(e.dialog.errors).toEqual([['Vega could not start', expect.stringContaining(notADir)]]);
    expect(e.app.exits).toEqual([1]);
  });
});
