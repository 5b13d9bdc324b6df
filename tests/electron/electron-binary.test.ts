import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { electronBinary } from '../../scripts/electron-binary.mjs';
import { tempDir } from './harness.js';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in node_modules/electron: package.json, optionally path.txt and an executable. */
function fakePackage(name: string, opts: { pathTxt?: string; binary?: boolean }): string {
  const pkg = path.join(dir, name);
  mkdirSync(path.join(pkg, 'dist'), { recursive: true });
  writeFileSync(path.join(pkg, 'package.json'), '{"name":"electron"}');
  // An index.js that would "download": requiring the package must never happen.
  writeFileSync(path.join(pkg, 'index.js'), 'throw new Error("downloading")');
  if (opts.pathTxt !== undefined) writeFileSync(path.join(pkg, 'path.txt'), opts.pathTxt);
  if (opts.binary) {
    const exe = path.join(pkg, 'dist', opts.pathTxt ?? 'electron');
    mkdirSync(path.dirname(exe), { recursive: true });
    writeFileSync(exe, '#!/bin/sh\n');
    chmodSync(exe, 0o755);
  }
  return pkg;
}

describe('electronBinary()', () => {
  it('finds dist/<path.txt> when the binary was installed', () => {
    const pkg = fakePackage('installed', { pathTxt: 'electron', binary: true });
    expect(electronBinary({ env: {}, electronDir: pkg })).toEqual({
      ok: true,
      path: path.join(pkg, 'dist', 'electron'),
      dist: path.join(pkg, 'dist'),
    });
  });

  it("on a Mac, dist is the folder that holds Electron.app (electron-builder's electronDist), not the executable's folder", () => {
    const pkg = fakePackage('mac', { pathTxt: 'Electron.app/Contents/MacOS/Electron', binary: true });
    const r = electronBinary({ env: {}, electronDir: pkg });
    expect(r).toMatchObject({
      ok: true,
      path: path.join(pkg, 'dist', 'Electron.app', 'Contents', 'MacOS', 'Electron'),
      dist: path.join(pkg, 'dist'),
    });
    // The mac packager copies <electronDist>/Electron.app.
    expect(r.ok && existsSync(path.join(r.dist, 'Electron.app'))).toBe(true);
  });

  it('says why when path.txt is missing (package installed without its binary)', () => {
    const pkg = fakePackage('no-binary', {});
    const r = electronBinary({ env: {}, electronDir: pkg });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(/path\.txt/);
  });

  it('says why when path.txt names a file that is not there', () => {
    const pkg = fakePackage('dangling', { pathTxt: 'electron' });
    const r = electronBinary({ env: {}, electronDir: pkg });
    expect(!r.ok && r.reason).toMatch(/not an executable/);
  });

  it('honours ELECTRON_OVERRIDE_DIST_PATH', () => {
    const dist = path.join(dir, 'override');
    mkdirSync(dist, { recursive: true });
    const exe = path.join(
      dist,
      process.platform === 'win32' ? 'electron.exe' : process.platform === 'darwin' ? 'Electron.app/Contents/MacOS/Electron' : 'electron',
    );
    mkdirSync(path.dirname(exe), { recursive: true });
    writeFileSync(exe, '#!/bin/sh\n');
    chmodSync(exe, 0o755);
    const pkg = fakePackage('override-pkg', {});
    expect(electronBinary({ env: { ELECTRON_OVERRIDE_DIST_PATH: dist }, electronDir: pkg })).toEqual({ ok: true, path: exe, dist });
    const missing = electronBinary({ env: { ELECTRON_OVERRIDE_DIST_PATH: path.join(dir, 'nowhere') }, electronDir: pkg });
    expect(!missing.ok && missing.reason).toMatch(/ELECTRON_OVERRIDE_DIST_PATH/);
  });

  it('on this machine, answers without requiring electron (which would try to download)', () => {
    const r = electronBinary();
    expect(typeof r.ok).toBe('boolean');
    expect(r.ok ? r.path : r.reason).toBeTruthy();
  });
});

describe('npm start helpers', () => {
  it('opens a browser only when BROWSER is not none and there is a display', async () => {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- `as string` keeps tsc from resolving an untyped .mjs
    const { shouldOpenBrowser } = (await import('../../scripts/start.mjs' as string)) as {
      shouldOpenBrowser: (env: NodeJS.ProcessEnv, platform: string) => boolean;
    };
    expect(shouldOpenBrowser({ DISPLAY: ':0' }, 'linux')).toBe(true);
    expect(shouldOpenBrowser({ WAYLAND_DISPLAY: 'wayland-0' }, 'linux')).toBe(true);
    expect(shouldOpenBrowser({}, 'linux')).toBe(false);
    expect(shouldOpenBrowser({ DISPLAY: ':0', BROWSER: 'none' }, 'linux')).toBe(false);
    expect(shouldOpenBrowser({}, 'darwin')).toBe(true);
    expect(shouldOpenBrowser({ BROWSER: 'none' }, 'win32')).toBe(false);
  });

  it('the fallback notice says why, how to get the binary, and what starts instead', async () => {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- `as string` keeps tsc from resolving an untyped .mjs
    const { FALLBACK_NOTICE } = (await import('../../scripts/start.mjs' as string)) as { FALLBACK_NOTICE: (reason: string) => string };
    const text = FALLBACK_NOTICE('path.txt is missing');
    expect(text).toMatch(/Electron binary is not installed/);
    expect(text).toMatch(/npx install-electron/);
    expect(text).toMatch(/ELECTRON_OVERRIDE_DIST_PATH/);
    expect(text).toMatch(/web host/);
  });
});
