// Where the Electron executable is, found the way node_modules/electron's own
// index.js finds it, but WITHOUT requiring that package: its index.js starts a
// download when the binary is missing, and our build machines have no
// internet. Returns { ok: true, path, dist } or { ok: false, reason }: `dist`
// is the folder the executable's path is relative to (on a Mac the one that
// holds Electron.app), which is what electron-builder takes as electronDist.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The executable's name inside a dist folder, per platform (as electron/install.js writes path.txt). */
function platformExecutable(platform = process.platform) {
  if (platform === 'darwin' || platform === 'mas') return 'Electron.app/Contents/MacOS/Electron';
  if (platform === 'win32') return 'electron.exe';
  return 'electron';
}

/** An existing file we may run (on Windows, existing is enough). */
export function executable(file) {
  try {
    if (!statSync(file).isFile()) return false;
    if (process.platform !== 'win32') accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * @param {{ env?: NodeJS.ProcessEnv, electronDir?: string }} [opts]
 * @returns {{ ok: true, path: string, dist: string } | { ok: false, reason: string }}
 */
export function electronBinary({ env = process.env, electronDir = path.join(root, 'node_modules', 'electron') } = {}) {
  const pathFile = path.join(electronDir, 'path.txt');
  const recorded = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : '';
  if (env.ELECTRON_OVERRIDE_DIST_PATH) {
    // Same rule as electron's index.js: the override folder + path.txt's name (or the platform's).
    const dist = env.ELECTRON_OVERRIDE_DIST_PATH;
    const file = path.join(dist, recorded || platformExecutable());
    return executable(file)
      ? { ok: true, path: file, dist }
      : { ok: false, reason: `ELECTRON_OVERRIDE_DIST_PATH is set, but ${file} is not an executable file` };
  }
  if (!existsSync(path.join(electronDir, 'package.json')))
    return { ok: false, reason: `the electron package is not installed in ${electronDir}` };
  if (!recorded) return { ok: false, reason: 'node_modules/electron has no path.txt: the package was installed without its binary' };
  const dist = path.join(electronDir, 'dist');
  const file = path.join(dist, recorded);
  return executable(file)
    ? { ok: true, path: file, dist }
    : { ok: false, reason: `node_modules/electron/path.txt names ${file}, which is not an executable file` };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = electronBinary();
  console.log(r.ok ? r.path : `Electron binary not available: ${r.reason}`);
  process.exit(r.ok ? 0 : 1);
}

/**
 * Electron 42+ installs without its binary and fetches it on first launch.
 * Try that once, bounded, so `npm start` and `npm run dist` work on a
 * connected machine; offline the download fails at once and the reason says
 * so. VEGA_NO_ELECTRON_DOWNLOAD=1 (or an override path) skips it.
 */
export function electronBinaryOrFetch(env = process.env) {
  const found = electronBinary({ env });
  if (found.ok || env.ELECTRON_OVERRIDE_DIST_PATH || env.VEGA_NO_ELECTRON_DOWNLOAD === '1') return found;
  console.log('Fetching the Electron binary (once; VEGA_NO_ELECTRON_DOWNLOAD=1 skips this)...');
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules', 'electron', 'install.js')], {
    cwd: root,
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (r.status === 0) return electronBinary({ env });
  const why = r.error?.message ?? `${r.stderr ?? ''}`.split('\n').find((l) => /error/i.test(l)) ?? `exit ${r.status}`;
  return { ok: false, reason: `${found.reason}; the download failed: ${why.trim().slice(0, 200)}` };
}
