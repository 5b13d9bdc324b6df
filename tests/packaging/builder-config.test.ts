import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';

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

describe('npm run dist without an Electron binary', () => {
  it('stops at once with one sentence and a non-zero exit', async () => {
    const { spawnSync } = await import('node:child_process');
    // An override that points nowhere stands for "the download is impossible" on any machine.
    const r = spawnSync(process.execPath, ['scripts/dist.mjs'], { cwd: root, encoding: 'utf8', env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: path.join(root, 'no-such-electron') }, timeout: 20_000 });
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^npm run dist needs the Electron binary to package Vega, and it is not here \(.+\); .+\.$/);
    expect(r.stderr).not.toMatch(/\bat .+:\d+:\d+/);
  });
});
