#!/usr/bin/env node
// `npm run dev`: the renderer in Vite's dev server (hot reload) in front of
// the web host, run from source. The page reaches the host through Vite's
// proxy (the contract's WebSocket and the admin API), so one origin serves
// both. VEGA_DEV_PORT picks Vite's port (5173; 0 for any free one).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// How long the host gets to run its own bounded quit before it is killed.
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

async function main() {
  const key = process.env.VEGA_API_KEY || randomBytes(24).toString('base64url');
  const host = startHost(key);
  const hostExited = new Promise((resolve) => host.child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));

  let vite;
  let stopping;
  const stop = (signal) =>
    (stopping ??= (async () => {
      if (host.child.exitCode === null && host.child.signalCode === null) host.child.kill(signal);
      const kill = setTimeout(() => host.child.kill('SIGKILL'), HOST_QUIT_GRACE_MS);
      await Promise.all([vite?.close(), hostExited]);
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
  process.stdout.write(`\nVega dev server (hot reload): ${page}?token=${encodeURIComponent(key)}\n  Ctrl+C stops it and the web host.\n\n`);
  // The host stopping on its own ends the dev session too.
  const code = await hostExited;
  if (!stopping) {
    console.error(`The web host stopped (code ${code}); stopping the dev server.`);
    await stop('SIGTERM');
    process.exit(code);
  }
}

await main();
