import type { Page } from '@playwright/test';
import { expect, lastAnswer, openApp, screenshot, sendMessage, test, useVegaServer, seriousViolations } from './fixtures.js';

// Accessibility (axe-core) and screenshots of both views in both themes.
const ANSWER = [
  'Here is a **connection pool** in short:',
  '',
  '- one client per process',
  '- sockets reused per origin',
  '',
  '```ts',
  "import { Agent } from 'undici';",
  'const agent = new Agent({ connections: 100 }); // one per process',
  'export default agent;',
  '```',
  '',
  '| origin | connections |',
  '|---|---|',
  '| 127.0.0.1:11434 | 2 |',
].join('\n');

const server = useVegaServer({ standin: { reply: () => ANSWER, tokenDelayMs: 2 } });

test.describe.configure({ mode: 'serial' });

async function chatWithAnswer(page: Page) {
  await openApp(page, server);
  await sendMessage(page, 'What is a connection pool?');
  await expect(lastAnswer(page)).toContainText('one per process', { timeout: 15_000 });
  await expect(page.getByRole('button', { name: 'Send' })).toBeVisible();
}

async function dashboardWithHistory(page: Page) {
  await page.getByRole('tab', { name: 'Dashboard' }).click();
  await expect(page.getByRole('region', { name: 'Resource dashboard' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Connections', exact: true })).toBeVisible();
  // A few seconds of history so the charts have lines.
  await page.waitForTimeout(4_000);
}

for (const colorScheme of ['light', 'dark'] as const) {
  test(`chat: no serious or critical axe violation (${colorScheme})`, async ({ page }) => {
    await page.emulateMedia({ colorScheme });
    await chatWithAnswer(page);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, `chat-${colorScheme}`);
  });

  test(`dashboard: no serious or critical axe violation (${colorScheme})`, async ({ page }) => {
    // A chat turn, seconds of chart history and a full axe pass: 24 s on a quiet machine.
    test.slow();
    await page.emulateMedia({ colorScheme });
    // Tall enough for every card in one picture.
    await page.setViewportSize({ width: 1440, height: 1900 });
    await chatWithAnswer(page);
    await dashboardWithHistory(page);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, `dashboard-${colorScheme}`);
  });
}

test('settings: no serious or critical axe violation', async ({ page }) => {
  await openApp(page, server);
  await page.getByRole('tab', { name: 'Settings' }).click();
  await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
  await screenshot(page, 'settings-light');
});

test('sign-in: no serious or critical axe violation', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.url}/?token=wrong`);
  await expect(page.getByText(/Open the address printed by/)).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
  await screenshot(page, 'sign-in-light');
  await context.close();
});
