// Where the Electron executable is, found the way node_modules/electron's own
// index.js finds it, but WITHOUT requiring that package: its index.js starts a
// download when the binary is missing, and our build machines have no
// internet. Returns { ok: true, path } or { ok: false, reason }.
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
 * @returns {{ ok: true, path: string } | { ok: false, reason: string }}
 */
export function electronBinary({ env = process.env, electronDir = path.join(root, 'node_modules', 'electron') } = {}) {
  const pathFile = path.join(electronDir, 'path.txt');
  const recorded = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : '';
  if (env.ELECTRON_OVERRIDE_DIST_PATH) {
    // Same rule as electron's index.js: the override folder + path.txt's name (or the platform's).
    const file = path.join(env.ELECTRON_OVERRIDE_DIST_PATH, recorded || platformExecutable());
    return executable(file) ? { ok: true, path: file } : { ok: false, reason: `ELECTRON_OVERRIDE_DIST_PATH is set, but ${file} is not an executable file` };
  }
  if (!existsSync(path.join(electronDir, 'package.json'))) return { ok: false, reason: `the electron package is not installed in ${electronDir}` };
  if (!recorded) return { ok: false, reason: 'node_modules/electron has no path.txt: the package was installed without its binary' };
  const file = path.join(electronDir, 'dist', recorded);
  return executable(file) ? { ok: true, path: file } : { ok: false, reason: `node_modules/electron/path.txt names ${file}, which is not an executable file` };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = electronBinary();
  console.log(r.ok ? r.path : `Electron binary not available: ${r.reason}`);
  process.exit(r.ok ? 0 : 1);
}
