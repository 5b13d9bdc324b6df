#!/usr/bin/env node
// Builds the three outputs: Electron main + preload (esbuild), the headless
// web host (esbuild), and the renderer (Vite). `--if-stale` skips the build
// when nothing under the sources changed since the last one.
import { build as esbuild } from 'esbuild';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'out');
const stamp = path.join(out, '.build-stamp');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

function newestMtime(p) {
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const e of readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, e)));
  return newest;
}

export function isStale() {
  if (!existsSync(stamp)) return true;
  const built = statSync(stamp).mtimeMs;
  const inputs = ['src-main', 'src-shared', 'src-renderer', 'package.json', 'vite.config.ts']
    .map((p) => path.join(root, p))
    .filter(existsSync);
  return inputs.some((p) => newestMtime(p) > built);
}

/** What every esbuild bundle here shares. */
const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  define: { __VEGA_VERSION__: JSON.stringify(pkg.version) },
};

/**
 * The attachment worker: it parses untrusted files with ESM-only packages and
 * carries them all, so it runs as is in both hosts (the web host finds it in
 * out/main) and unpacked beside the app's asar. Tests build it into a temp folder.
 */
export function buildAttachmentWorker(outfile = 'out/main/attachment-worker.mjs') {
  return esbuild({
    ...common,
    entryPoints: ['src-main/attachments/worker.ts'],
    outfile,
    format: 'esm',
    sourcemap: false,
    // Optional canvas bindings pdfjs never needs for text.
    external: ['canvas', '@napi-rs/canvas'],
    // Bundled CommonJS (mammoth) calls require, which an ES module lacks.
    banner: { js: "import { createRequire as __vegaRequire } from 'node:module'; const require = __vegaRequire(import.meta.url);" },
  });
}

/**
 * Electron's main process and preload only (out/main, out/preload): what
 * `npm run dev` needs before it starts Electron against Vite's dev server.
 * Dependencies stay in node_modules (packaged beside the bundle), except in
 * the preload: a sandboxed preload can require nothing but 'electron'.
 * `outDir` is relative to the project (tests build into a temp folder).
 */
export async function buildElectron(outDir = 'out') {
  const at = (file) => path.join(outDir, path.relative('out', file));
  await Promise.all([
    esbuild({
      ...common,
      entryPoints: ['src-main/electron/main.ts'],
      outfile: at('out/main/index.cjs'),
      format: 'cjs',
      packages: 'external',
      // Modules that find a file beside them (the attachment worker) read import.meta.url, which CommonJS lacks.
      define: { ...common.define, 'import.meta.url': '__vegaModuleUrl' },
      banner: { js: "const __vegaModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
    }),
    buildAttachmentWorker(at('out/main/attachment-worker.mjs')),
    esbuild({
      ...common,
      entryPoints: ['src-main/electron/preload.ts'],
      outfile: at('out/preload/index.cjs'),
      format: 'cjs',
      external: ['electron'],
    }),
  ]);
}

export async function build({ quiet = false } = {}) {
  const log = (m) => quiet || console.log(m);
  await Promise.all([
    buildElectron(),
    esbuild({ ...common, entryPoints: ['src-main/web/serve.ts'], outfile: 'out/web/serve.mjs', format: 'esm', packages: 'external' }),
  ]);
  log('built out/main, out/preload, out/web');
  const { build: vite } = await import('vite');
  await vite({ configFile: path.join(root, 'vite.config.ts'), logLevel: quiet ? 'error' : 'warn' });
  log('built out/renderer');
  mkdirSync(out, { recursive: true });
  writeFileSync(stamp, new Date().toISOString());
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const ifStale = process.argv.includes('--if-stale');
  if (ifStale && !isStale()) process.exit(0);
  build({ quiet: process.argv.includes('--quiet') }).catch((err) => {
    console.error(`Build failed: ${err.message}`);
    process.exit(1);
  });
}
