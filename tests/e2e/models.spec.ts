import type { Locator, Page } from '@playwright/test';
import { countingReply, expect, lastAnswer, openApp, screenshot, sendMessage, seriousViolations, test, useVegaServer } from './fixtures.js';

// A new user: Ollama runs but has no model. The setup card, a pull with its
// bar, Cancel and Resume, the first answer; then the Models view.
const server = useVegaServer({ standin: { models: [], reply: countingReply(8), tokenDelayMs: 5 } });

test.describe.configure({ mode: 'serial' });

const percentOf = async (bar: Locator): Promise<number> => Number((await bar.getAttribute('aria-valuenow')) ?? 0);

async function seeItMove(bar: Locator): Promise<number> {
  await expect.poll(() => percentOf(bar), { timeout: 15_000 }).toBeGreaterThan(0);
  const before = await percentOf(bar);
  await expect.poll(() => percentOf(bar), { timeout: 15_000 }).toBeGreaterThan(before);
  return percentOf(bar);
}

async function openModels(page: Page) {
  await page.getByRole('tab', { name: 'Models' }).click();
  await expect(page.getByRole('heading', { name: 'Models', level: 2 })).toBeVisible();
}

test('from the setup card to a first answer: pull with a moving bar, cancel, resume', async ({ page }) => {
  test.setTimeout(90_000);
  // About six seconds for the big layer: time to watch it move and cancel it.
  server.standin.set({ pull: { steps: 80, delayMs: 75 } });
  await page.goto(server.appUrl);
  const card = page.getByRole('region', { name: 'Set up a model to chat with' });
  await expect(card).toBeVisible();
  await expect(card.getByText('Ollama has no models yet.')).toBeVisible();
  await expect(card.getByText('your default model (VEGA_MODEL)')).toBeVisible();
  await expect(card.getByText(/about 380 MB/)).toBeVisible();
  await screenshot(page, 'models-1-setup-card');
  expect(await seriousViolations(page)).toEqual([]);

  await card.getByRole('button', { name: 'Pull llama3.2', exact: true }).click();
  const bar = card.getByRole('progressbar', { name: 'Pulling llama3.2', exact: true });
  await expect(bar).toBeVisible();
  await seeItMove(bar);
  await expect(card.getByText(/ of 1\.9 GB · .* %/)).toBeVisible();
  await screenshot(page, 'models-2-pulling');

  await card.getByRole('button', { name: 'Cancel pulling llama3.2', exact: true }).click();
  const resume = card.getByRole('button', { name: 'Resume pulling llama3.2', exact: true });
  await expect(resume).toBeVisible();
  const kept = await percentOf(bar);
  expect(kept).toBeGreaterThan(0);
  expect(kept).toBeLessThan(100);
  await screenshot(page, 'models-3-cancelled');

  server.standin.set({ pull: { steps: 30, delayMs: 40 } });
  await resume.click();
  await expect(card.getByRole('button', { name: 'Cancel pulling llama3.2', exact: true })).toBeVisible();
  // Ollama kept what was downloaded: the resumed bar passes where the cancelled one stopped.
  await expect.poll(() => percentOf(bar), { timeout: 15_000 }).toBeGreaterThan(kept);
  await screenshot(page, 'models-4-resumed');

  // Installed: the card gives way to the chat by itself.
  await expect(card).toBeHidden({ timeout: 30_000 });
  await expect(page.getByText('How can I help?')).toBeVisible();
  await sendMessage(page, 'Hello, first question');
  await expect(lastAnswer(page)).toContainText('THE END', { timeout: 20_000 });
  await expect(page.getByTestId('context-used')).toContainText('of 131,072 tokens');
  await screenshot(page, 'models-5-first-answer');
});

test('the Models view: details of the installed model, a queued pull, the dashboard card, and a reload mid-pull', async ({ page }) => {
  test.setTimeout(90_000);
  await openApp(page, server);
  await openModels(page);
  const table = page.getByRole('table');
  await expect(table.getByRole('cell', { name: 'llama3.2:latest', exact: true })).toBeVisible();
  await expect(table.getByRole('cell', { name: 'Q4_K_M', exact: true })).toBeVisible();
  await expect(table.getByRole('cell', { name: '131,072', exact: true })).toBeVisible();

  // A bad name is refused in the window; two good ones queue, one at a time.
  const box = page.getByRole('textbox', { name: 'Pull a model', exact: true });
  await box.fill('llama 3.2');
  await page.getByRole('button', { name: 'Pull', exact: true }).click();
  await expect(page.getByText(/A model name has no spaces/)).toBeVisible();
  server.standin.set({ pull: { steps: 200, delayMs: 60 } });
  await box.fill('gemma3:1b');
  await page.getByRole('button', { name: 'Pull', exact: true }).click();
  await box.fill('qwen2.5:0.5b');
  await page.getByRole('button', { name: 'Pull', exact: true }).click();
  const gemma = page.getByRole('progressbar', { name: 'Pulling gemma3:1b', exact: true });
  await seeItMove(gemma);
  await expect(page.getByText('Waits for the pull before it.')).toBeVisible();
  await screenshot(page, 'models-6-view-queue');
  expect(await seriousViolations(page)).toEqual([]);

  // The pull lives in main: a reloaded window finds it still moving.
  await page.reload();
  await openModels(page);
  await seeItMove(page.getByRole('progressbar', { name: 'Pulling gemma3:1b', exact: true }));

  await page.getByRole('tab', { name: 'Dashboard' }).click();
  const pullsCard = page.getByRole('group', { name: 'Model pulls' });
  await expect(pullsCard).toBeVisible();
  await expect(pullsCard.getByRole('progressbar', { name: 'Pulling gemma3:1b', exact: true })).toBeVisible();
  await screenshot(page, 'models-7-dashboard');

  await openModels(page);
  await page.getByRole('button', { name: 'Cancel pulling qwen2.5:0.5b', exact: true }).click();
  await page.getByRole('button', { name: 'Cancel pulling gemma3:1b', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Resume pulling gemma3:1b', exact: true })).toBeVisible();
  await page.getByRole('tab', { name: 'Dashboard' }).click();
  await expect(pullsCard).toBeHidden();
});
