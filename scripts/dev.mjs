#!/usr/bin/env node
// `npm run dev`: the renderer in Vite's dev server (hot reload) in front of
// the web host, run from source. The page reaches the host through Vite's
// proxy (the contract's WebSocket and the admin API), so one origin serves
// both. VEGA_DEV_PORT picks Vite's port (5173; 0 for any free one).
// Where the Electron binary is installed, the desktop window opens on the
// same page too (VEGA_DEV_SERVER_URL; it talks to its own engine over IPC
// through the preload). Electron is looked for, never downloaded here.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';
import { buildElectron } from './build.mjs';
import { electronBinary } from './electron-binary.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// How long the host (and Electron) get to run their own bounded quit before they are killed.
const HOST_QUIT_GRACE_MS = 15_000;

/**
 * The web host as a child (tsx runs its TypeScript), with a key we choose so
 * we can print the page's address. Resolves with its address once it listens.
 */
function startHost(key) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src-main/web/serve.ts'], {
    cwd: root,
    env: { ...process.env, VEGA_API_KEY: key, BROWSER: 'none' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const listening = new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the web host exited (code ${code}) before listening`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const url = /listening on (http:\/\/\S+)/.exec(line)?.[1];
      if (url) resolve(url);
      // Its own "open the app" address skips Vite; ours is printed below.
      if (!/^\s*Open the app:/.test(line)) process.stdout.write(`${line}\n`);
    });
  });
  return { child, listening };
}

/** The host's routes, sent on by Vite. Only exact paths: /chat/… and /api/… are renderer modules. */
function proxyTo(hostUrl) {
  return {
    '^/ws(\\?|$)': { target: hostUrl, ws: true },
    '^/admin/': { target: hostUrl },
    '^/chat(\\?|$)': { target: hostUrl },
  };
}

/**
 * Whether Electron can open a window here, or why not (one clause for the
 * notice). Only looks: the download `npm start` may try never runs here.
 */
function electronForDev(env = process.env, platform = process.platform) {
  const found = electronBinary({ env });
  if (!found.ok) return { ok: false, reason: `the Electron binary is not available (${found.reason})` };
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY)
    return { ok: false, reason: 'there is no display (DISPLAY or WAYLAND_DISPLAY)' };
  return found;
}

/** The one line printed when there is no window. */
const BROWSER_ONLY = (reason) =>
  `  No desktop window: the app runs in the browser only, because ${reason} (npm run dev never downloads Electron; npm start can).`;

/**
 * Electron on the repo root (package.json's "main", out/main/index.cjs, just
 * rebuilt with the preload), pointed at Vite's page. `exited` resolves with
 * its exit code, or 1 if it could not be started.
 */
function startElectron(binary, pageUrl) {
  const env = { ...process.env, VEGA_DEV_SERVER_URL: pageUrl };
  // Would make the binary a plain Node.
  delete env.ELECTRON_RUN_AS_NODE;
  const child = spawn(binary, [root], { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'] });
  const exited = new Promise((resolve) => {
    child.once('error', (err) => {
      console.error(`Could not start Electron: ${err.message}`);
      resolve(1);
    });
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
  return { child, exited };
}

function running(child) {
  return child.exitCode === null && child.signalCode === null;
}

async function main() {
  const key = process.env.VEGA_API_KEY || randomBytes(24).toString('base64url');
  const host = startHost(key);
  const hostExited = new Promise((resolve) => host.child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));

  let vite;
  let electron;
  let stopping;
  const stop = (signal) =>
    (stopping ??= (async () => {
      const children = [host.child, ...(electron ? [electron.child] : [])];
      for (const child of children) if (running(child)) child.kill(signal);
      const kill = setTimeout(() => {
        for (const child of children) if (running(child)) child.kill('SIGKILL');
      }, HOST_QUIT_GRACE_MS);
      await Promise.all([vite?.close(), hostExited, electron?.exited]);
      clearTimeout(kill);
    })());
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => void stop(signal).then(() => process.exit(0)));

  try {
    const hostUrl = await host.listening;
    vite = await createServer({
      configFile: path.join(root, 'vite.config.ts'),
      server: { host: '127.0.0.1', port: Number(process.env.VEGA_DEV_PORT ?? 5173), strictPort: true, proxy: proxyTo(hostUrl) },
    });
    await vite.listen();
  } catch (err) {
    console.error(`npm run dev could not start: ${err instanceof Error ? err.message : String(err)}`);
    await stop('SIGTERM');
    process.exit(1);
  }
  const page = vite.resolvedUrls?.local[0] ?? '';
  const pageWithKey = `${page}?token=${encodeURIComponent(key)}`;
  const found = electronForDev();
  process.stdout.write(
    `\nVega dev server (hot reload): ${pageWithKey}\n` +
      (found.ok
        ? '  The Electron window opens on the same page (main and preload built from source; restart for changes under src-main/).\n' +
          '  Ctrl+C stops it, the window and the web host.\n\n'
        : `${BROWSER_ONLY(found.reason)}\n  Ctrl+C stops it and the web host.\n\n`),
  );
  if (found.ok) {
    try {
      await buildElectron();
      if (!stopping) electron = startElectron(found.path, page);
    } catch (err) {
      console.error(
        `Could not build Electron's main and preload; the browser page still works: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    void electron?.exited.then((code) => {
      if (stopping) return;
      if (code === 0) {
        // Closing the window ends the session, as with electron-vite.
        console.log('The Electron window closed; stopping the dev server and the web host.');
        void stop('SIGTERM').then(() => process.exit(0));
      } else console.error(`Electron exited (code ${code}); the page is still served for the browser: ${pageWithKey}`);
    });
  }
  // The host stopping on its own ends the dev session too.
  const code = await hostExited;
  if (!stopping) {
    console.error(`The web host stopped (code ${code}); stopping the dev server.`);
    await stop('SIGTERM');
    process.exit(code);
  }
}

await main();
