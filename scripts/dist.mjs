#!/usr/bin/env node
// `npm run dist`: build, then installers with electron-builder. Packaging
// needs Electron's binary; where it cannot be had, stop at once with one
// sentence instead of a download stack trace.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronBinaryOrFetch } from './electron-binary.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = electronBinaryOrFetch();
if (!bin.ok) {
  console.error(`npm run dist needs the Electron binary to package Vega, and it is not here (${bin.reason}); run it on a machine that can download Electron, or set ELECTRON_OVERRIDE_DIST_PATH.`);
  process.exit(1);
}

const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit' }).status ?? 1;
if (run('node', ['scripts/build.mjs']) !== 0) process.exit(1);
const args = ['electron-builder', '--publish', 'never', `-c.electronDist=${path.dirname(bin.path)}`, ...process.argv.slice(2)];
// The test build keeps what Playwright's _electron needs to attach.
if (process.env.VEGA_TEST_BUILD === '1') args.push('-c.electronFuses.enableNodeCliInspectArguments=true');
process.exit(run('npx', args));
