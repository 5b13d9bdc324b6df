import { createPackage, extractFile, listPackage } from '@electron/asar';
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { spawn } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { isBuiltin } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * `npm run dist -- --linux dir deb`, for real, in a copy of this work tree
 * (sources as they are now, node_modules as hard links), against a stand-in
 * Electron: the folder layout electron-builder copies from, with an
 * executable that carries Electron's fuse wire, so the fuses are really
 * flipped and read back. One build, shared by every check below; all of it
 * in a temp folder that is removed afterwards.
 *
 * What cannot be had here, and why:
 * - the Electron binary itself (downloaded from GitHub): the stand-in takes
 *   its place, so the app is packed but never started;
 * - fpm, which turns the folder into a .deb (a Ruby tool electron-builder
 *   downloads from GitHub, electron-builder-binaries): a stand-in fpm records
 *   what electron-builder hands it (metadata, .desktop file, icons) and
 *   builds nothing;
 * - the AppImage tools (mksquashfs and the AppImage runtime, also from
 *   electron-builder-binaries): the AppImage is not built.
 * On macOS the deb step is left out too (electron-builder fetches GNU tar and
 * ar for it); on Windows the whole test is skipped (the stand-in is a POSIX
 * executable and the Linux folder's file modes do not survive NTFS).
 */

const root = path.resolve(__dirname, '../..');
const linux = process.platform === 'linux';
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  homepage: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const builderConfig = load(readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')) as {
  electronFuses: Record<string, boolean>;
  linux: { maintainer: string };
};
const electronVersion = (
  JSON.parse(readFileSync(path.join(root, 'node_modules', 'electron', 'package.json'), 'utf8')) as { version: string }
).version;

/** Electron's fuse sentinel, then the wire: version 1, 8 fuses, each '0' or '1' (@electron/fuses, dist/constants.js). */
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
/** Electron's own defaults, in FuseV1Options order: RunAsNode, NODE_OPTIONS, inspect and file: privileges on. */
const STOCK_WIRE = '10110001';
const [DISABLED, ENABLED] = ['0'.charCodeAt(0), '1'.charCodeAt(0)];

const NOT_COPIED = new Set(['node_modules', '.git', 'out', 'dist', 'test-results', 'playwright-report', '.vega-data', '.env']);
// Caches that tools rewrite in place: a hard link would carry the write into the real tree.
const NOT_LINKED = new Set(['.cache', '.vite', '.vite-temp']);

let tmp: string;
let project: string;
let unpacked: string;
let asarFile: string;
let run: { code: number | null; output: string };
let fpmRecord: { args: string[]; desktopFiles: Record<string, string> } | undefined;

/** node_modules as hard links: seconds instead of copying half a gigabyte. Files are only read or replaced by the build. */
function linkTree(from: string, to: string, top = true): void {
  mkdirSync(to);
  for (const e of readdirSync(from, { withFileTypes: true })) {
    if (top && NOT_LINKED.has(e.name)) continue;
    const [src, dst] = [path.join(from, e.name), path.join(to, e.name)];
    if (e.isDirectory()) linkTree(src, dst, false);
    else if (e.isSymbolicLink()) symlinkSync(readlinkSync(src), dst);
    else {
      try {
        linkSync(src, dst);
      } catch {
        copyFileSync(src, dst); // another volume
      }
    }
  }
}

/** What electron-builder expects in an unpacked Electron for Linux, minus Chromium. */
async function standInElectron(dir: string): Promise<void> {
  mkdirSync(path.join(dir, 'locales'), { recursive: true });
  mkdirSync(path.join(dir, 'resources'));
  const exe = path.join(dir, 'electron');
  writeFileSync(
    exe,
    Buffer.concat([
      Buffer.from(
        `#!/bin/sh\n# A stand-in for Electron ${electronVersion}: it carries the fuse wire and runs nothing.\n# ${FUSE_SENTINEL}`,
      ),
      Buffer.from([1, STOCK_WIRE.length]),
      Buffer.from(`${STOCK_WIRE}\nexit 1\n`),
    ]),
  );
  chmodSync(exe, 0o755);
  writeFileSync(path.join(dir, 'version'), electronVersion);
  writeFileSync(path.join(dir, 'LICENSE'), 'Copyright (c) Electron contributors (stand-in)');
  writeFileSync(path.join(dir, 'LICENSES.chromium.html'), '<!doctype html><title>Chromium licenses (stand-in)</title>');
  writeFileSync(path.join(dir, 'locales', 'en-US.pak'), '');
  // Electron's demo app, as a real archive: shipped by mistake it would pass every other check.
  const demo = path.join(dir, '..', 'default-app');
  mkdirSync(demo);
  writeFileSync(path.join(demo, 'package.json'), '{"name":"electron","main":"main.js"}');
  writeFileSync(path.join(demo, 'main.js'), '');
  await createPackage(demo, path.join(dir, 'resources', 'default_app.asar'));
}

/** A stand-in fpm: records its arguments and the .desktop files it is handed (they are temp files, gone after the build). */
function standInFpm(file: string): void {
  writeFileSync(
    file,
    `#!${process.execPath}
const fs = require('node:fs');
const args = process.argv.slice(2);
const desktopFiles = {};
for (const a of args) {
  const m = /^(.+)=(\\/usr\\/share\\/applications\\/.+\\.desktop)$/.exec(a);
  if (m) desktopFiles[m[2]] = fs.readFileSync(m[1], 'utf8');
}
fs.writeFileSync(process.env.FPM_RECORD, JSON.stringify({ args, desktopFiles }));
`,
  );
  chmodSync(file, 0o755);
}

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'vega-package-'));
  project = path.join(tmp, 'vega');
  cpSync(root, project, { recursive: true, filter: (src) => !NOT_COPIED.has(path.relative(root, src).split(path.sep)[0] ?? '') });
  linkTree(path.join(root, 'node_modules'), path.join(project, 'node_modules'));
  await standInElectron(path.join(tmp, 'electron'));
  standInFpm(path.join(tmp, 'fpm'));
  for (const d of ['home', 'tmp']) mkdirSync(path.join(tmp, d));

  const record = path.join(tmp, 'fpm.json');
  const child = spawn(process.execPath, ['scripts/dist.mjs', '--linux', 'dir', ...(linux ? ['deb'] : [])], {
    cwd: project,
    // Only what the build needs; every file it writes, its temp files and caches included, stays in tmp.
    env: {
      PATH: process.env.PATH ?? '',
      HOME: path.join(tmp, 'home'),
      TMPDIR: path.join(tmp, 'tmp'),
      ELECTRON_BUILDER_CACHE: path.join(tmp, 'cache'),
      ELECTRON_OVERRIDE_DIST_PATH: path.join(tmp, 'electron'),
      VEGA_NO_ELECTRON_DOWNLOAD: '1',
      CUSTOM_FPM_PATH: path.join(tmp, 'fpm'),
      FPM_RECORD: record,
    },
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  run = { code, output };
  unpacked = path.join(project, 'dist', 'linux-unpacked');
  asarFile = path.join(unpacked, 'resources', 'app.asar');
  fpmRecord = existsSync(record) ? JSON.parse(readFileSync(record, 'utf8')) : undefined;
}, 300_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The package name a require names: `pino` for `pino/file`, `@scope/a` for `@scope/a/b`. */
function packageName(spec: string): string {
  const parts = spec.split('/');
  return (spec.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/');
}

describe.skipIf(process.platform === 'win32')('the packaged app (linux dir, against a stand-in Electron)', () => {
  it('npm run dist -- --linux dir runs to the end, downloading nothing', () => {
    expect(run.code, run.output).toBe(0);
    expect(existsSync(path.join(unpacked, 'vega'))).toBe(true);
    expect(existsSync(asarFile)).toBe(true);
    expect(existsSync(path.join(tmp, 'cache'))).toBe(false);
  });

  it('the asar holds out/ and the production dependencies only: no sources, tests, bench, source maps or native modules', () => {
    const files = listPackage(asarFile, { isPack: false });
    const top = new Set(files.map((f) => f.split(/[\\/]/)[1]));
    expect([...top].sort()).toEqual(['node_modules', 'out', 'package.json']);
    const outParts = new Set(files.filter((f) => /^[\\/]out[\\/]/.test(f)).map((f) => f.split(/[\\/]/)[2]));
    expect([...outParts].sort()).toEqual(['main', 'preload', 'renderer']);
    expect(
      files.filter(
        (f) =>
          f.endsWith('.map') ||
          f.endsWith('.node') ||
          /[\\/](src-[a-z]+|tests|bench|scripts)[\\/]/.test(f.replace(/^[\\/]node_modules[\\/].*/, '')),
      ),
    ).toEqual([]);
    const packed = new Set(files.filter((f) => f.endsWith('package.json')).map((f) => f.replace(/\\/g, '/')));
    for (const dep of Object.keys(pkg.dependencies)) expect(packed, dep).toContain(`/node_modules/${dep}/package.json`);
    // The renderer is bundled by Vite; the tooling never runs in the app.
    for (const dev of [
      'electron',
      'electron-builder',
      'vite',
      'vitest',
      'react',
      'react-dom',
      'recharts',
      'typescript',
      'esbuild',
      'playwright-core',
      '@playwright/test',
    ]) {
      expect(pkg.devDependencies[dev], dev).toBeDefined();
      expect(packed, dev).not.toContain(`/node_modules/${dev}/package.json`);
    }
  });

  it("Electron's demo app and version file are not shipped; its licences are", () => {
    const shipped = readdirSync(unpacked).concat(readdirSync(path.join(unpacked, 'resources')).map((f) => `resources/${f}`));
    expect(shipped).not.toContain('resources/default_app.asar');
    expect(shipped).not.toContain('version');
    expect(shipped).toEqual(expect.arrayContaining(['LICENSE.electron.txt', 'LICENSES.chromium.html', 'resources/app.asar']));
  });

  it('every release fuse reads back as electron-builder.yml sets it; the one it leaves alone keeps its stock value', async () => {
    const wire = await getCurrentFuseWire(path.join(unpacked, 'vega'));
    const configured = Object.entries(builderConfig.electronFuses);
    expect(configured.length).toBeGreaterThanOrEqual(7);
    for (const [name, on] of configured) {
      const index = FuseV1Options[(name[0]!.toUpperCase() + name.slice(1)) as keyof typeof FuseV1Options];
      expect(index, name).toBeTypeOf('number');
      expect(wire[index], name).toBe(on ? ENABLED : DISABLED);
    }
    const untouched = FuseV1Options.LoadBrowserProcessSpecificV8Snapshot;
    expect(wire[untouched]).toBe(STOCK_WIRE.charCodeAt(untouched));
  });

  it('the packed out/main/index.cjs requires nothing that is not packed, down to the last dependency', () => {
    const files = new Set(listPackage(asarFile, { isPack: false }).map((f) => f.replace(/\\/g, '/')));
    const read = (p: string) => extractFile(asarFile, p).toString('utf8');
    const bundle = read('out/main/index.cjs');
    const required = [...bundle.matchAll(/\brequire\(["']([^"']+)["']\)/g)].map((m) => m[1]!);
    expect(required).toContain('electron');
    const missing: string[] = [];
    // Node's lookup: node_modules beside the requiring package, then each folder above it.
    const resolve = (name: string, from: string): string | undefined => {
      for (let dir = from; ; dir = path.posix.dirname(dir)) {
        const candidate = path.posix.join(dir, 'node_modules', name);
        if (files.has(`${candidate}/package.json`)) return candidate;
        if (dir === '/') return undefined;
      }
    };
    const seen = new Set<string>();
    const visit = (name: string, from: string, by: string) => {
      const at = resolve(name, from);
      if (!at) return void missing.push(`${name} (required by ${by})`);
      if (seen.has(at)) return;
      seen.add(at);
      const manifest = JSON.parse(read(`${at.slice(1)}/package.json`)) as { dependencies?: Record<string, string> };
      for (const dep of Object.keys(manifest.dependencies ?? {})) visit(dep, at, name);
    };
    for (const spec of required) if (spec !== 'electron' && !isBuiltin(spec)) visit(packageName(spec), '/', 'out/main/index.cjs');
    expect(missing).toEqual([]);
    expect(seen.size).toBeGreaterThan(Object.keys(pkg.dependencies).length);
  });

  it.runIf(linux)(
    'deb, up to fpm: homepage, maintainer, the .desktop file (named for desktopName, window class to match) and the icon',
    () => {
      expect(fpmRecord, run.output).toBeDefined();
      const { args, desktopFiles } = fpmRecord!;
      const flag = (name: string) => args[args.indexOf(name) + 1];
      expect(flag('--url')).toBe(pkg.homepage);
      expect(flag('--maintainer')).toBe(builderConfig.linux.maintainer);
      expect(flag('--name')).toBe('vega');
      expect(Object.keys(desktopFiles)).toEqual(['/usr/share/applications/vega.desktop']);
      const entry = Object.fromEntries(
        desktopFiles['/usr/share/applications/vega.desktop']!.split('\n')
          .filter((l) => l.includes('='))
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
      expect(entry).toMatchObject({
        Name: 'Vega',
        Exec: '/opt/Vega/vega %U',
        Icon: 'vega',
        StartupWMClass: 'vega',
        Type: 'Application',
        Categories: 'Utility;',
      });
      expect(args).toContain(`${path.join(project, 'build', 'icon.png')}=/usr/share/icons/hicolor/512x512/apps/vega.png`);
      const png = readFileSync(path.join(project, 'build', 'icon.png'));
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([512, 512]);
    },
  );

  it.skip('AppImage: not built here, because electron-builder downloads its tools (mksquashfs, the AppImage runtime) from GitHub, not from npm', () => {});
});
