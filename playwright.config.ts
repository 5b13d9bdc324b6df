import { defineConfig } from '@playwright/test';

// One config for every end-to-end spec: the web host in the system Chromium,
// and the Electron app where its binary exists (tests/e2e/electron.spec.ts
// launches its own executable and skips, saying why, when there is none).
export default defineConfig({
  testDir: 'tests/e2e',
  workers: 1,
  reporter: [['list'], ['json', { outputFile: 'test-results/playwright.json' }]],
  use: {
    // The window honours reduced motion (no colour transitions), so an axe
    // scan right after a theme switch reads the final colours, not a blend.
    reducedMotion: 'reduce',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
});
