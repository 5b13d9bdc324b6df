import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/servers.js';
import { connectApi } from '../helpers/ws-client.js';

const root = path.resolve(__dirname, '../..');

/** True while any process of the group (npm, the dev script, the web host) is alive. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function refused(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const s = connect(Number(port), hostname);
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
}

interface Dev {
  readonly child: ChildProcess;
  readonly exited: Promise<number | string | null>;
  /** The page's address as printed (with the key), and the web host's. */
  readonly page: URL;
  readonly hostUrl: string;
  /** Everything it printed so far. */
  output(): string;
}

describe('npm run dev', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'vega-dev-'));
  const noElectron = mkdtempSync(path.join(os.tmpdir(), 'vega-dev-no-electron-'));
  const started: ChildProcess[] = [];
  afterAll(() => {
    for (const c of started) if (c.pid && groupAlive(c.pid)) process.kill(-c.pid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(noElectron, { recursive: true, force: true });
  });

  /** Start `command` in its own process group, as a terminal runs it, and wait for the printed address. */
  async function startDev(command: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Dev> {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      VEGA_DATA_DIR: dataDir,
      VEGA_ENV_FILE: path.join(dataDir, '.env'),
      VEGA_HOST: '127.0.0.1',
      VEGA_PORT: '0',
      VEGA_DEV_PORT: '0',
      // Nothing listens there: the app starts without a model server.
      OLLAMA_HOST: 'http://127.0.0.1:9',
      BROWSER: 'none',
      // An empty folder: no Electron here, whatever node_modules holds, so the run is the same on every machine.
      ELECTRON_OVERRIDE_DIST_PATH: noElectron,
      ...extraEnv,
    };
    delete env.VEGA_API_KEY;
    const child = spawn(command, args, { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    started.push(child);
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    // 'close', not 'exit': the children (web host, Electron) write to the same pipes, and
    // their last lines may still be in flight when dev.mjs itself has exited.
    const exited = new Promise<number | string | null>((resolve) => child.once('close', (code, signal) => resolve(code ?? signal)));
    await eventually(() => /Vega dev server \(hot reload\): \S+/.test(out), 60_000, "the dev server's address");
    return {
      child,
      exited,
      page: new URL(/Vega dev server \(hot reload\): (\S+)/.exec(out)![1]!),
      hostUrl: /listening on (http:\/\/\S+)/.exec(out)![1]!,
      output: () => out,
    };
  }

  /** After the stop: no process of the group left, neither port listening. */
  async function expectAllStopped(dev: Dev): Promise<void> {
    await eventually(() => !groupAlive(dev.child.pid!), 20_000, 'every process of npm run dev to exit');
    expect(await refused(dev.hostUrl)).toBe(true);
    expect(await refused(dev.page.origin)).toBe(true);
  }

  it(
    'serves the renderer with hot reload, proxies the contract and the admin API to the web host, and Ctrl+C leaves no process',
    { timeout: 120_000 },
    async () => {
      const dev = await startDev('npm', ['run', 'dev']);
      const key = dev.page.searchParams.get('token')!;
      const base = dev.page.origin;
      // Without the Electron binary: one line saying so and why, and no download attempted.
      const notice = dev
        .output()
        .split('\n')
        .filter((l) => /desktop window|browser only/i.test(l));
      expect(notice).toHaveLength(1);
      expect(notice[0]).toMatch(/No desktop window: the app runs in the browser only, because the Electron binary is not available \(.+\)/);
      expect(notice[0]).toContain(noElectron);
      expect(dev.output()).not.toMatch(/Fetching the Electron binary|install\.js/);

      // The page, from Vite, with its HMR client and the refresh preamble allowed by the CSP.
      const html = await (await fetch(`${base}/`)).text();
      expect(html).toContain('/@vite/client');
      const nonce = /nonce="([^"]+)"/.exec(html)?.[1];
      expect(html).toContain(`script-src 'self' 'nonce-${nonce}'`);
      // A component module, transformed on request, accepting hot updates.
      const mod = await fetch(`${base}/app/Root.tsx`);
      expect(mod.headers.get('content-type')).toContain('javascript');
      expect(await mod.text()).toContain('import.meta.hot');

      // The web host behind Vite's proxy: the admin API with the printed key, and the contract's socket.
      const health = await fetch(`${base}/admin/resources/health`, { headers: { 'X-API-Key': key } });
      expect(health.status).toBe(200);
      expect(((await health.json()) as { status: string }).status).toMatch(/healthy|degraded/);
      const client = await connectApi(base, key);
      const info = await client.api.app.info();
      expect(info.host).toBe('web');
      await client.close();

      // Ctrl+C signals the terminal's whole foreground group.
      process.kill(-dev.child.pid!, 'SIGINT');
      // npm ends as a shell would on Ctrl+C, by the signal (or 0 where it does not re-raise it).
      expect([0, 'SIGINT']).toContain(await dev.exited);
      await expectAllStopped(dev);
    },
  );

  it("stopped alone (a supervisor's SIGTERM), the dev script stops the web host too", { timeout: 120_000 }, async () => {
    const dev = await startDev(process.execPath, ['scripts/dev.mjs']);
    process.kill(dev.child.pid!, 'SIGTERM');
    expect(await dev.exited).toBe(0);
    await expectAllStopped(dev);
  });

  /**
   * A stand-in for the Electron binary, where electron-binary.mjs looks under
   * ELECTRON_OVERRIDE_DIST_PATH: it prints what it was started with, stays up
   * until a signal (or, with FAKE_ELECTRON_CLOSE_MS, exits 0 as when the user
   * closes the window), and records the signal.
   */
  function fakeElectron(): string {
    const dist = mkdtempSync(path.join(os.tmpdir(), 'vega-dev-fake-electron-'));
    dirs.push(dist);
    const file = path.join(dist, process.platform === 'darwin' ? 'Electron.app/Contents/MacOS/Electron' : 'electron');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(
      file,
      [
        `#!${process.execPath}`,
        // Handlers first: the test signals as soon as it reads the start line below.
        "for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => process.stdout.write(`fake electron: ${s}\\n`, () => process.exit(0)));",
        "console.log(`fake electron: app=${process.argv[2]} url=${process.env.VEGA_DEV_SERVER_URL} run_as_node=${process.env.ELECTRON_RUN_AS_NODE ?? ''}`);",
        'const close = Number(process.env.FAKE_ELECTRON_CLOSE_MS);',
        "if (close) setTimeout(() => process.stdout.write('fake electron: window closed\\n', () => process.exit(0)), close);",
        'setInterval(() => undefined, 1000);',
      ].join('\n'),
    );
    chmodSync(file, 0o755);
    return dist;
  }
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it(
    'with an Electron binary: builds main and preload, starts it on the repo root with VEGA_DEV_SERVER_URL, and Ctrl+C stops it too',
    { timeout: 120_000 },
    async () => {
      const before = Date.now();
      const dev = await startDev(process.execPath, ['scripts/dev.mjs'], {
        ELECTRON_OVERRIDE_DIST_PATH: fakeElectron(),
        DISPLAY: ':0',
        ELECTRON_RUN_AS_NODE: '1',
      });
      expect(dev.output()).toContain('The Electron window opens on the same page');
      expect(dev.output()).not.toMatch(/browser only/);
      await eventually(() => dev.output().includes('fake electron: app='), 60_000, 'the fake Electron to start');
      const started = /fake electron: app=(\S*) url=(\S*) run_as_node=(\S*)/.exec(dev.output())!;
      expect(started[1]).toBe(root);
      // Vite's page, without the key: the window talks IPC through the preload.
      expect(started[2]).toBe(`${dev.page.origin}/`);
      expect(started[2]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect(started[3]).toBe('');
      // Built for this run, before Electron started.
      for (const bundle of ['main', 'preload'])
        expect(statSync(path.join(root, 'out', bundle, 'index.cjs')).mtimeMs).toBeGreaterThanOrEqual(before - 1000);

      process.kill(-dev.child.pid!, 'SIGINT');
      expect(await dev.exited).toBe(0);
      expect(dev.output()).toContain('fake electron: SIGINT');
      await expectAllStopped(dev);
    },
  );

  it('closing the Electron window ends the dev session, web host included', { timeout: 120_000 }, async () => {
    const dev = await startDev(process.execPath, ['scripts/dev.mjs'], {
      ELECTRON_OVERRIDE_DIST_PATH: fakeElectron(),
      DISPLAY: ':0',
      FAKE_ELECTRON_CLOSE_MS: '500',
    });
    expect(await dev.exited).toBe(0);
    expect(dev.output()).toContain('fake electron: window closed');
    expect(dev.output()).toContain('The Electron window closed; stopping the dev server and the web host.');
    await expectAllStopped(dev);
  });
});
