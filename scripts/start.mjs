#!/usr/bin/env node
// `npm start`: build what is stale, then run Vega in Electron, or, where the
// Electron binary is missing (it cannot be downloaded on every machine), in
// its headless web host with the same engine and UI in the browser.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronBinaryOrFetch } from './electron-binary.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// One paragraph, left to the terminal to wrap: why, how to fix it, what happens now.
export const FALLBACK_NOTICE = (reason) =>
  '\n' +
  [
    `Vega cannot open its desktop window: the Electron binary is not installed, and it could not be downloaded on this machine (${reason}).`,
    'To get it, run `npx install-electron` in this folder on a machine with internet access, or set ELECTRON_OVERRIDE_DIST_PATH to a folder holding an Electron executable of the same version.',
    'Until then, Vega starts its headless web host instead: the same engine and interface, served to your browser at the address printed below.',
  ].join(' ') +
  '\n';

/** Open a browser only when someone can see it: BROWSER=none opts out, and Linux needs a display. */
export function shouldOpenBrowser(env = process.env, platform = process.platform) {
  if (env.BROWSER === 'none') return false;
  if (platform === 'linux' || platform === 'freebsd' || platform === 'openbsd') return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
  return true;
}

/** Run a child with our stdio; forward SIGINT/SIGTERM to it and exit with its code. */
function runForwarding(cmd, args, env) {
  const child = spawn(cmd, args, { cwd: root, stdio: 'inherit', env });
  const forward = (signal) => () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  child.on('error', (err) => {
    console.error(`Could not start ${cmd}: ${err.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    // A child killed by a signal reports no code: exit as a shell would (128 + n).
    process.exit(code ?? (signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 1));
  });
}

function main() {
  const built = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs'), '--if-stale'], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);

  const electron = electronBinaryOrFetch();
  if (electron.ok) {
    // The project folder: Electron reads package.json's "main" (out/main/index.cjs).
    runForwarding(electron.path, [root], process.env);
    return;
  }
  process.stderr.write(FALLBACK_NOTICE(electron.reason) + '\n');
  const env = { ...process.env };
  // The web host opens the page itself (it knows the address and token).
  if (shouldOpenBrowser()) env.VEGA_OPEN_BROWSER = '1';
  runForwarding(process.execPath, [path.join(root, 'out', 'web', 'serve.mjs')], env);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
