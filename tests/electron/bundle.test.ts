import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildElectron } from '../../scripts/build.mjs';
import { tempDir, writeRenderer } from './harness.js';

/**
 * The built entry files, run without Electron: scripts/build.mjs writes main
 * and preload to a temp out/ folder, then
 * - main runs in plain Node with `require('electron')` answered by the
 *   recording fake (a require hook; the real package is never loaded),
 * - the preload runs in a bare vm context holding only `require('electron')`,
 *   as a sandboxed preload does.
 * This checks what the unit tests cannot: the bundles' CommonJS interop,
 * `__dirname`-relative paths, and that main.ts wires everything.
 */

const root = path.resolve(__dirname, '../..');
let dir: string;
let out: string;

beforeAll(async () => {
  dir = tempDir('vega-bundle-');
  out = path.join(dir, 'out');
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  await Promise.all([
    buildElectron(out),
    build({
      absWorkingDir: root,
      bundle: true,
      platform: 'node',
      target: 'node20',
      logLevel: 'silent',
      define: { __VEGA_VERSION__: JSON.stringify(pkg.version) },
      entryPoints: ['tests/electron/fake-electron.ts'],
      outfile: path.join(dir, 'fake-electron.cjs'),
      format: 'cjs',
    }),
  ]);
  writeRenderer(out);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Runs inside the child: stands in for Electron, drives start-up and quit, prints what it saw.
const HOOK = `
const Module = require('node:module');
const fake = require(process.env.FAKE_ELECTRON).createFakeElectron(process.env.FAKE_USER_DATA);
const load = Module._load;
Module._load = function (request, ...rest) {
  if (request === 'electron') return fake;
  return load.call(this, request, ...rest);
};
const report = async () => {
  const win = fake.windows[0];
  const page = win && (await fake.protocol.request('app://vega/index.html'));
  return {
    scheme: fake.protocol.privileged,
    webPreferences: win && win.options.webPreferences,
    loaded: win && win.loaded,
    handlers: [...fake.ipcMain.handlers.keys()],
    page: page && { status: page.status, csp: page.headers.get('content-security-policy'), body: await page.text() },
  };
};
fake.app.exit = (code) => {
  process.stdout.write('\\nEXIT ' + code + '\\n');
  process.exit(code);
};
setImmediate(() => fake.app.makeReady());
const poll = setInterval(async () => {
  if (!fake.windows[0] || !fake.windows[0].loaded.length) return;
  clearInterval(poll);
  process.stdout.write('\\nREPORT ' + JSON.stringify(await report()) + '\\n');
  fake.app.requestQuit();
}, 20);
`;

describe('the built bundles', () => {
  it('main: wires the window, IPC and app:// from out/, then quits through cleanup with code 0', async () => {
    const hook = path.join(dir, 'hook.cjs');
    writeFileSync(hook, HOOK);
    mkdirSync(path.join(dir, 'data'), { recursive: true });
    writeFileSync(path.join(dir, '.env'), '');
    const child = spawn(process.execPath, ['-r', hook, path.join(out, 'main', 'index.cjs')], {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '',
        // The bundle keeps its packages external; resolve them from the project.
        NODE_PATH: path.join(root, 'node_modules'),
        FAKE_ELECTRON: path.join(dir, 'fake-electron.cjs'),
        FAKE_USER_DATA: path.join(dir, 'user-data'),
        VEGA_DATA_DIR: path.join(dir, 'data'),
        VEGA_ENV_FILE: path.join(dir, '.env'),
        VEGA_LOG_LEVEL: 'warn',
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    if (process.env.DEBUG_BUNDLE) console.log(stdout, stderr);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/\nEXIT 0\n/);
    const line = stdout.split('\n').find((l) => l.startsWith('REPORT '));
    const r = JSON.parse(line!.slice('REPORT '.length));
    expect(r.scheme).toEqual([
      expect.objectContaining({ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) }),
    ]);
    expect(r.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
      spellcheck: false,
      disableBlinkFeatures: 'Auxclick',
      preload: path.join(out, 'preload', 'index.cjs'),
    });
    expect(r.loaded).toEqual(['app://vega/index.html']);
    expect(r.handlers.length).toBeGreaterThan(10);
    expect(r.handlers).toContain('app:info');
    expect(r.page).toMatchObject({ status: 200, body: expect.stringContaining('<title>Vega</title>') });
    expect(r.page.csp).toContain("frame-ancestors 'none'");
  });

  it("preload: runs with nothing but require('electron') and exposes window.vega", () => {
    const code = readFileSync(path.join(out, 'preload', 'index.cjs'), 'utf8');
    const exposed = new Map<string, unknown>();
    const invoked: unknown[][] = [];
    const electron = {
      contextBridge: { exposeInMainWorld: (k: string, v: unknown) => exposed.set(k, v) },
      ipcRenderer: {
        invoke: async (...a: unknown[]) => (invoked.push(a), { ok: true, value: 'ok' }),
        on: () => undefined,
        removeListener: () => undefined,
      },
    };
    const module = { exports: {} };
    const sandbox = {
      module,
      exports: module.exports,
      require: (id: string) => {
        if (id === 'electron') return electron;
        throw new Error(`a sandboxed preload cannot require ${id}`);
      },
    };
    vm.runInNewContext(code, sandbox, { filename: 'preload/index.cjs' });
    expect([...exposed.keys()]).toEqual(['vega']);
    const vega = exposed.get('vega') as { invoke(channel: string, params: unknown, requestId?: string): Promise<unknown> };
    return vega.invoke('app:info', {}, 'req-1').then((v) => {
      expect(v).toMatchObject({ ok: true, value: 'ok' });
      expect(invoked).toEqual([['app:info', {}, 'req-1']]);
    });
  });
});
