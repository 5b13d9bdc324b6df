import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it, vi } from 'vitest';
import { afterExtract, electronLeftovers } from '../../scripts/after-extract.mjs';
import { electronBuilderCommand, run } from '../../scripts/dist.mjs';

const root = path.resolve(__dirname, '../..');
const cfg = load(readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')) as Record<string, any>;
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const buildScript = readFileSync(path.join(root, 'scripts/build.mjs'), 'utf8');

describe('electron-builder.yml', () => {
  it('names the app and builds every platform target', () => {
    expect(cfg.appId).toMatch(/^[a-z]+(\.[a-z0-9-]+)+$/);
    expect(cfg.productName).toBe('Vega');
    expect(cfg.linux.target).toEqual(expect.arrayContaining(['AppImage', 'deb']));
    expect(cfg.mac.target).toBe('dmg');
    expect(cfg.win.target).toBe('nsis');
    expect(cfg.asar).toBe(true);
    expect(existsSync(path.join(root, cfg.icon))).toBe(true);
  });

  it('packs what the app loads: main, preload and renderer outputs, package.json', () => {
    const files: string[] = cfg.files;
    expect(pkg.main).toBe('out/main/index.cjs');
    for (const out of ['out/main/', 'out/preload/', 'out/renderer']) {
      expect(buildScript).toContain(out);
      expect(files.some((f) => f.startsWith(out.replace(/\/$/, '')))).toBe(true);
    }
    expect(files).toContain('package.json');
  });

  it('keeps the attachment worker outside the asar archive, where a worker thread can start it', () => {
    expect(buildScript).toContain("'out/main/attachment-worker.mjs'");
    expect(cfg.asarUnpack).toEqual(['out/main/attachment-worker.mjs']);
  });

  it('packs nothing from tests/, bench/ or the sources', () => {
    const included = (cfg.files as string[]).filter((f) => !f.startsWith('!'));
    for (const f of included) expect(f).not.toMatch(/^(tests|bench|src-|scripts)/);
    expect(cfg.files).toEqual(expect.arrayContaining(['!tests/**', '!bench/**']));
  });

  it('keeps renderer packages out of runtime dependencies (they are bundled)', () => {
    for (const p of ['react', 'react-dom', 'recharts', 'vite']) expect(pkg.dependencies[p]).toBeUndefined();
  });

  it('sets the release fuses', () => {
    expect(cfg.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
    });
  });
});

describe('what electron-builder needs on every target', () => {
  it('deb: a homepage and an author with an email (fpm refuses to build without them)', () => {
    expect(pkg.homepage).toMatch(/^https:\/\/\S+$/);
    expect(pkg.author).toMatchObject({ name: expect.any(String), email: expect.stringMatching(/^[^@\s]+@[^@\s]+$/) });
    expect(cfg.linux.maintainer).toBe(`${pkg.author.name} <${pkg.author.email}>`);
  });

  it('Linux: desktopName names the .desktop file and the window class alike (syncDesktopName)', () => {
    expect(pkg.desktopName).toBe('vega.desktop');
    expect(cfg.linux.syncDesktopName).toBe(true);
  });

  it("macOS: electronDist is the folder that holds Electron.app, not the executable's own folder", () => {
    const dist = path.join('/opt', 'electron', 'dist');
    const { args } = electronBuilderCommand(dist, ['--mac', 'dir'], {});
    expect(args).toContain(`-c.electronDist=${dist}`);
    expect(args.slice(-2)).toEqual(['--mac', 'dir']);
  });

  it('Windows: electron-builder runs as a script of this very Node (npx is npx.cmd there, which spawn cannot start)', () => {
    const { command, args } = electronBuilderCommand('/d', [], {});
    expect(command).toBe(process.execPath);
    expect(args[0]).toMatch(/electron-builder[\\/]cli\.js$/);
    expect(existsSync(args[0]!)).toBe(true);
    expect(electronBuilderCommand('/d', [], { VEGA_TEST_BUILD: '1' }).args).toContain(
      '-c.electronFuses.enableNodeCliInspectArguments=true',
    );
  });

  it('a step that cannot even start is reported in one sentence, not dropped', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(run(path.join(os.tmpdir(), 'no-such-program-vega'), [], { stdio: 'ignore' })).toBe(1);
      expect(error).toHaveBeenCalledTimes(1);
      expect(String(error.mock.calls[0]?.[0])).toMatch(/^npm run dist could not start no-such-program-vega: .*ENOENT.*\.$/);
    } finally {
      error.mockRestore();
    }
  });

  it("every target: Electron's demo app and version file are dropped after extraction (electron-builder does not, for an unpacked electronDist)", async () => {
    expect(cfg.afterExtract).toBe('./scripts/after-extract.mjs');
    expect(electronLeftovers('/o', 'linux')).toEqual([path.join('/o', 'resources', 'default_app.asar'), path.join('/o', 'version')]);
    expect(electronLeftovers('/o', 'win32')[0]).toBe(path.join('/o', 'resources', 'default_app.asar'));
    // The mac layout, on real files: the app is still Electron.app when the hook runs.
    const out = mkdtempSync(path.join(os.tmpdir(), 'vega-mac-dist-'));
    try {
      const resources = path.join(out, 'Electron.app', 'Contents', 'Resources');
      mkdirSync(resources, { recursive: true });
      for (const f of ['default_app.asar', 'electron.icns']) writeFileSync(path.join(resources, f), '');
      await afterExtract({
        appOutDir: out,
        electronPlatformName: 'darwin',
        packager: { info: { framework: { distMacOsAppName: 'Electron.app' } } },
      });
      expect(existsSync(path.join(resources, 'default_app.asar'))).toBe(false);
      expect(existsSync(path.join(resources, 'electron.icns'))).toBe(true);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('npm run dist without an Electron binary', () => {
  it('stops at once with one sentence and a non-zero exit', async () => {
    const { spawnSync } = await import('node:child_process');
    // An override that points nowhere stands for "the download is impossible" on any machine.
    const r = spawnSync(process.execPath, ['scripts/dist.mjs'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: path.join(root, 'no-such-electron') },
      timeout: 20_000,
    });
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^npm run dist needs the Electron binary to package Vega, and it is not here \(.+\); .+\.$/);
    expect(r.stderr).not.toMatch(/\bat .+:\d+:\d+/);
  });
});
