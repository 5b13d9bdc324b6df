import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findBrowser, NO_BROWSER } from '../../scripts/find-browser.mjs';

/** Where the Playwright specs find Chromium: real files in a temp folder stand for installed browsers. */

const root = path.resolve(__dirname, '../..');
const dir = mkdtempSync(path.join(os.tmpdir(), 'vega-browser-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function exe(rel: string): string {
  const file = path.join(dir, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, '#!/bin/sh\n');
  chmodSync(file, 0o755);
  return file;
}

const none = () => path.join(dir, 'no-playwright-chromium');
const linux = 'linux' as const;

describe('findBrowser()', () => {
  it('takes VEGA_CHROMIUM first, and a wrong one is an error, not a reason to pick another', () => {
    const own = exe('explicit/chrome');
    const system = exe('bin1/chromium');
    const env = { VEGA_CHROMIUM: own, PATH: path.dirname(system) };
    expect(findBrowser({ env, platform: linux, playwrightPath: none })).toEqual({ ok: true, path: own, source: 'VEGA_CHROMIUM' });
    const wrong = findBrowser({ env: { ...env, VEGA_CHROMIUM: path.join(dir, 'nope') }, platform: linux, playwrightPath: none });
    expect(wrong).toEqual({ ok: false, reason: `VEGA_CHROMIUM is set to ${path.join(dir, 'nope')}, which is not an executable file.` });
  });

  it("then Playwright's own Chromium, where it was installed", () => {
    const installed = exe('ms-playwright/chromium-1/chrome');
    const system = exe('bin2/chromium');
    expect(findBrowser({ env: { PATH: path.dirname(system) }, platform: linux, playwrightPath: () => installed })).toEqual({
      ok: true,
      path: installed,
      source: 'playwright',
    });
    // Playwright knows the path even when nothing was downloaded; a thrown error counts as none too.
    expect(findBrowser({ env: { PATH: path.dirname(system) }, platform: linux, playwrightPath: none })).toMatchObject({ source: 'system' });
    expect(
      findBrowser({
        env: { PATH: path.dirname(system) },
        platform: linux,
        playwrightPath: () => {
          throw new Error('unsupported platform');
        },
      }),
    ).toMatchObject({ source: 'system' });
  });

  it('then chromium, chromium-browser, google-chrome on PATH, in that order', () => {
    const a = exe('bin3/google-chrome');
    const b = exe('bin4/chromium-browser');
    const PATH = [path.join(dir, 'empty'), path.dirname(a), path.dirname(b)].join(path.delimiter);
    expect(findBrowser({ env: { PATH }, platform: linux, playwrightPath: none })).toEqual({ ok: true, path: b, source: 'system' });
    writeFileSync(path.join(dir, 'bin5-not-executable'), '');
    expect(findBrowser({ env: { PATH: path.dirname(a) }, platform: linux, playwrightPath: none })).toEqual({
      ok: true,
      path: a,
      source: 'system',
    });
  });

  it('with none, one sentence that says how to get one', () => {
    expect(findBrowser({ env: { PATH: path.join(dir, 'empty') }, platform: linux, playwrightPath: none })).toEqual({
      ok: false,
      reason: NO_BROWSER,
    });
    expect(NO_BROWSER).toMatch(/^[^\n]+\.$/);
    expect(NO_BROWSER).toContain('npx playwright install chromium');
    expect(NO_BROWSER).toContain('VEGA_CHROMIUM');
  });

  it('playwright.config.ts stops at once with that sentence, no stack trace, where there is no Chromium', () => {
    const r = spawnSync(process.execPath, [path.join(root, 'node_modules', '@playwright', 'test', 'cli.js'), 'test', '--list'], {
      cwd: root,
      encoding: 'utf8',
      env: { PATH: path.join(dir, 'empty'), HOME: dir, PLAYWRIGHT_BROWSERS_PATH: path.join(dir, 'no-browsers') },
      timeout: 60_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(NO_BROWSER);
    expect(r.stdout).not.toMatch(/\bat .+:\d+:\d+/);
  });
});
