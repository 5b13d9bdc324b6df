import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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
}

describe('npm run dev', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'vega-dev-'));
  const started: ChildProcess[] = [];
  afterAll(() => {
    for (const c of started) if (c.pid && groupAlive(c.pid)) process.kill(-c.pid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Start `command` in its own process group, as a terminal runs it, and wait for the printed address. */
  async function startDev(command: string, args: string[]): Promise<Dev> {
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
    };
    delete env.VEGA_API_KEY;
    const child = spawn(command, args, { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    started.push(child);
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
    await eventually(() => /Vega dev server \(hot reload\): \S+/.test(out), 60_000, "the dev server's address");
    return {
      child,
      exited,
      page: new URL(/Vega dev server \(hot reload\): (\S+)/.exec(out)![1]!),
      hostUrl: /listening on (http:\/\/\S+)/.exec(out)![1]!,
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
});
