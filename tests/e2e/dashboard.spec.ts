import type { Page } from '@playwright/test';
import { chartPoints, countingReply, expect, lastAnswer, openApp, sendMessage, test, useVegaServer } from './fixtures.js';

// The resource dashboard, fed by the real host's one-per-second snapshots.
const server = useVegaServer({ standin: { reply: countingReply(10), tokenDelayMs: 5 } });

const CHARTS = ['Connections', 'Requests per second', 'Latency (p50/p95)', 'Config cache hit rate', 'Health', 'Process', 'Loaded models'];

async function openDashboard(page: Page) {
  await page.getByRole('tab', { name: 'Dashboard' }).click();
  const dash = page.getByRole('region', { name: 'Resource dashboard' });
  await expect(dash).toBeVisible();
  return dash;
}

test.describe.configure({ mode: 'serial' });

test('every chart has its heading, and the one HTTP client reads 1', async ({ page }) => {
  await openApp(page, server);
  const dash = await openDashboard(page);
  for (const name of CHARTS) await expect(dash.getByRole('heading', { name, exact: true })).toBeVisible();
  await expect(page.getByTestId('stat-http-clients')).toContainText('1');
  await expect(page.getByTestId('stat-http-clients')).toContainText('http_clients_created');
});

test('the charts gain points over a few seconds', async ({ page }) => {
  await openApp(page, server);
  await openDashboard(page);
  await expect.poll(() => chartPoints(page, 'Connections')).toBeGreaterThan(0);
  const before = await chartPoints(page, 'Connections');
  // A point per bucket of the window: 10 s of the default five minutes.
  await expect.poll(() => chartPoints(page, 'Connections'), { timeout: 20_000 }).toBeGreaterThanOrEqual(before + 1);
  expect(await chartPoints(page, 'Process')).toBeGreaterThan(0);
  // Capped whatever the window.
  await page.getByText('60 min').click();
  expect(await chartPoints(page, 'Connections')).toBeLessThanOrEqual(31);
});

test('a chat turn shows up as a pooled connection to the model server', async ({ page }) => {
  await openApp(page, server);
  await sendMessage(page, 'Use a connection');
  await expect(lastAnswer(page)).toContainText('THE END', { timeout: 15_000 });
  await openDashboard(page);
  const origin = new URL(server.standin.url).host;
  await expect(page.getByRole('combobox', { name: 'Origin' }).locator('option', { hasText: origin })).toHaveCount(1, { timeout: 10_000 });
  await expect
    .poll(async () => Number((await page.getByTestId('stat-requests').locator('.stat-value').textContent()) ?? 0))
    .toBeGreaterThan(0);
  // Still one client, however many requests.
  await expect(page.getByTestId('stat-http-clients').locator('.stat-value')).toHaveText('1');
});

test('Invalidate cache confirms and changes the cache figures', async ({ page }) => {
  await openApp(page, server);
  await openDashboard(page);
  const misses = page.getByTestId('cache-misses').locator('.figure-value');
  const state = page.getByTestId('cache-state').locator('.figure-value');
  await expect(state).not.toHaveText('–');
  const missesBefore = Number(await misses.textContent());
  await page.getByRole('button', { name: 'Invalidate cache' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Configuration cache invalidated' })).toBeVisible();
  // Dropped: either still empty, or already reloaded by the next read (one more miss).
  await expect
    .poll(async () => (await state.textContent()) === 'empty' || Number(await misses.textContent()) > missesBefore, { timeout: 10_000 })
    .toBe(true);
});
