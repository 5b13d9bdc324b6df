#!/usr/bin/env node
// `npm run dist`: build, then installers with electron-builder. Packaging
// needs Electron's binary; where it cannot be had, stop at once with one
// sentence instead of a download stack trace.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronBinaryOrFetch } from './electron-binary.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * electron-builder's command line, run by this Node itself: `npx` is
 * `npx.cmd` on Windows, which spawn cannot start without a shell.
 * @param {string} electronDist the folder electron-builder copies Electron from (electronBinary().dist)
 * @param {string[]} argv what `npm run dist -- …` passed on
 * @param {NodeJS.ProcessEnv} env
 */
export function electronBuilderCommand(electronDist, argv, env = process.env) {
  const cli = createRequire(path.join(root, 'package.json')).resolve('electron-builder/cli.js');
  const args = [cli, '--publish', 'never', `-c.electronDist=${electronDist}`, ...argv];
  // The test build keeps what Playwright's _electron needs to attach.
  if (env.VEGA_TEST_BUILD === '1') args.push('-c.electronFuses.enableNodeCliInspectArguments=true');
  return { command: process.execPath, args };
}

/** Run a step; a step that cannot even start says so in one sentence (spawn errors are not exit codes). */
export function run(command, args, { cwd = root, stdio = 'inherit' } = {}) {
  const r = spawnSync(command, args, { cwd, stdio });
  if (r.error) {
    console.error(`npm run dist could not start ${path.basename(command)}: ${r.error.message}.`);
    return 1;
  }
  return r.status ?? 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const bin = electronBinaryOrFetch();
  if (!bin.ok) {
    console.error(
      `npm run dist needs the Electron binary to package Vega, and it is not here (${bin.reason}); run it on a machine that can download Electron, or set ELECTRON_OVERRIDE_DIST_PATH.`,
    );
    process.exit(1);
  }
  if (run(process.execPath, [path.join(root, 'scripts', 'build.mjs')]) !== 0) process.exit(1);
  const { command, args } = electronBuilderCommand(bin.dist, process.argv.slice(2));
  process.exit(run(command, args));
}
