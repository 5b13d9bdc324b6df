import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, findBrowser } from './scripts/find-browser.mjs';

// One config for every end-to-end spec: the web host in Chromium,
// and the Electron app where its binary exists (tests/e2e/electron.spec.ts
// launches its own executable and skips, saying why, when there is none).
// The Chromium: VEGA_CHROMIUM, Playwright's own, or the system's; with none,
// the run stops at once with one sentence saying how to get one.
const browser = findBrowser();
if (!browser.ok) {
  console.error(browser.reason);
  process.exit(1);
}

export default defineConfig({
  testDir: 'tests/e2e',
  workers: 1,
  reporter: [['list'], ['json', { outputFile: 'test-results/playwright.json' }]],
  use: {
    // The window honours reduced motion (no colour transitions), so an axe
    // scan right after a theme switch reads the final colours, not a blend.
    reducedMotion: 'reduce',
    launchOptions: {
      executablePath: browser.path,
      args: [...CHROMIUM_ARGS],
    },
  },
});
