// The Chromium the Playwright specs run in, found the way people expect:
// VEGA_CHROMIUM (an explicit path), then Playwright's own Chromium (`npx
// playwright install chromium`), then a system Chromium or Chrome on PATH.
// Returns { ok: true, path, source } or { ok: false, reason }, the reason
// being one sentence that says how to get one.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { executable } from './electron-binary.mjs';

const ON_PATH = ['chromium', 'chromium-browser', 'google-chrome'];
// macOS installs browsers as app bundles, not on PATH.
const MAC_APPS = ['/Applications/Chromium.app/Contents/MacOS/Chromium', '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome'];

/** How Vega starts Chromium anywhere (tests, the icon): no sandbox as root, and nothing sent off the machine at start. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export const NO_BROWSER =
  'The browser tests need Chromium and none was found: run `npx playwright install chromium`, install chromium or Google Chrome, or set VEGA_CHROMIUM to a Chromium executable.';

/** Where Playwright's own Chromium is, installed or not (`existsSync` tells). */
const playwrightChromium = () => chromium.executablePath();

/**
 * @param {{ env?: NodeJS.ProcessEnv, platform?: NodeJS.Platform, playwrightPath?: () => string }} [opts]
 * @returns {{ ok: true, path: string, source: 'VEGA_CHROMIUM' | 'playwright' | 'system' } | { ok: false, reason: string }}
 */
export function findBrowser({ env = process.env, platform = process.platform, playwrightPath = playwrightChromium } = {}) {
  if (env.VEGA_CHROMIUM) {
    // Asked for by name: a wrong path is an error, not a reason to pick another browser.
    return executable(env.VEGA_CHROMIUM)
      ? { ok: true, path: env.VEGA_CHROMIUM, source: 'VEGA_CHROMIUM' }
      : { ok: false, reason: `VEGA_CHROMIUM is set to ${env.VEGA_CHROMIUM}, which is not an executable file.` };
  }
  let own = '';
  try {
    own = playwrightPath();
  } catch {
    // A platform Playwright has no Chromium build for.
  }
  if (own && existsSync(own)) return { ok: true, path: own, source: 'playwright' };
  const exts = platform === 'win32' ? (env.PATHEXT ?? '.EXE').split(';') : [''];
  const dirs = (env.PATH ?? '').split(path.delimiter).filter(Boolean);
  const candidates = [
    ...ON_PATH.flatMap((name) => dirs.flatMap((d) => exts.map((ext) => path.join(d, name + ext)))),
    ...(platform === 'darwin' ? MAC_APPS : []),
  ];
  const found = candidates.find(executable);
  return found ? { ok: true, path: found, source: 'system' } : { ok: false, reason: NO_BROWSER };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = findBrowser();
  console.log(r.ok ? r.path : r.reason);
  process.exit(r.ok ? 0 : 1);
}
