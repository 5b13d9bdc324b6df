import { countingReply, expect, lastAnswer, openApp, sendMessage, test, useVegaServer } from './fixtures.js';

// The chat against the real web host and a stand-in Ollama.
const server = useVegaServer({ standin: { reply: countingReply(40), tokenDelayMs: 25 } });

test.describe.configure({ mode: 'serial' });

test('the key leaves the address bar and the app opens', async ({ page }) => {
  await openApp(page, server);
  expect(page.url()).not.toContain(server.key);
  await expect(page.getByRole('button', { name: 'New chat' })).toBeVisible();
});

test('a message is answered, streaming token by token', async ({ page }) => {
  server.standin.set({ tokenDelayMs: 40 });
  await openApp(page, server);
  await sendMessage(page, 'Hello Vega');
  await expect(page.locator('article[aria-label="You said"]').last()).toContainText('Hello Vega');
  const answer = lastAnswer(page);
  // Mid-stream: part of the answer is there, its end is not, and Stop is offered.
  await expect(answer).toContainText('You said: Hello Vega');
  await expect(answer).not.toContainText('THE END');
  await expect(page.getByRole('button', { name: 'Stop' })).toBeVisible();
  const early = (await answer.textContent())?.length ?? 0;
  // Then it completes, with its speed figures.
  await expect(answer).toContainText('THE END', { timeout: 15_000 });
  expect((await answer.textContent())?.length ?? 0).toBeGreaterThan(early);
  await expect(answer).toContainText('tok/s');
  await expect(answer).toContainText('first token');
  await expect(page.getByRole('button', { name: 'Send' })).toBeVisible();
});

test('Stop cuts the answer short and keeps what arrived', async ({ page }) => {
  server.standin.set({ tokenDelayMs: 150 });
  await openApp(page, server);
  await sendMessage(page, 'Count slowly');
  const answer = lastAnswer(page);
  await expect(answer).toContainText('word2');
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(page.getByRole('button', { name: 'Send' })).toBeVisible();
  await expect(answer).toContainText('Stopped');
  const text = (await answer.textContent()) ?? '';
  expect(text).not.toContain('THE END');
  // Nothing more arrives after the stop.
  await page.waitForTimeout(600);
  expect((await answer.textContent()) ?? '').toBe(text);
  server.standin.set({ tokenDelayMs: 25 });
});

test('Esc stops too', async ({ page }) => {
  server.standin.set({ tokenDelayMs: 150 });
  await openApp(page, server);
  await sendMessage(page, 'Another slow one');
  await expect(lastAnswer(page)).toContainText('word1');
  await page.keyboard.press('Escape');
  await expect(page.getByRole('button', { name: 'Send' })).toBeVisible();
  await expect(lastAnswer(page)).not.toContainText('THE END');
  server.standin.set({ tokenDelayMs: 25 });
});

test('after a reload the conversation is in the list with its messages', async ({ page }) => {
  await openApp(page, server);
  await sendMessage(page, 'Remember this conversation');
  await expect(lastAnswer(page)).toContainText('THE END', { timeout: 15_000 });
  await page.reload();
  // The key was kept for the tab: no sign-in after a reload.
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible();
  const item = page.getByRole('navigation', { name: 'Conversations' }).getByRole('button', { name: /^Remember this conversation/ });
  await expect(item).toBeVisible();
  await item.click();
  await expect(page.locator('article[aria-label="You said"]').first()).toContainText('Remember this conversation');
  await expect(lastAnswer(page)).toContainText('THE END');
});

test('Regenerate answers again, replacing the last answer', async ({ page }) => {
  await openApp(page, server);
  await sendMessage(page, 'Once more');
  await expect(lastAnswer(page)).toContainText('THE END', { timeout: 15_000 });
  const answers = page.locator('article[aria-label="Vega said"]');
  const count = await answers.count();
  const firstId = await lastAnswer(page).getAttribute('data-message-id');
  await lastAnswer(page).getByRole('button', { name: 'Regenerate' }).click();
  await expect(lastAnswer(page)).not.toHaveAttribute('data-message-id', firstId ?? '');
  await expect(lastAnswer(page)).toContainText('THE END', { timeout: 15_000 });
  await expect(answers).toHaveCount(count);
  // The host agrees: after a reload there is still one answer.
  await page.reload();
  await page
    .getByRole('navigation', { name: 'Conversations' })
    .getByRole('button', { name: /^Once more/ })
    .click();
  await expect(page.locator('article[aria-label="Vega said"]')).toHaveCount(1);
});

test('editing a sent message resends it and replaces what followed', async ({ page }) => {
  await openApp(page, server);
  await sendMessage(page, 'First question');
  await expect(lastAnswer(page)).toContainText('THE END', { timeout: 15_000 });
  await sendMessage(page, 'Second question');
  await expect(lastAnswer(page)).toContainText('You said: Second question');
  await expect(lastAnswer(page)).toContainText('THE END', { timeout: 15_000 });
  const first = page.locator('article[aria-label="You said"]').first();
  await first.hover();
  await first.getByRole('button', { name: 'Edit message' }).click();
  await first.getByRole('textbox', { name: 'Edit message' }).fill('Edited question');
  await first.getByRole('button', { name: 'Save & resend' }).click();
  await expect(lastAnswer(page)).toContainText('You said: Edited question', { timeout: 15_000 });
  await expect(lastAnswer(page)).toContainText('THE END', { timeout: 15_000 });
  await expect(page.locator('article[aria-label="You said"]')).toHaveCount(1);
  await expect(page.getByText('Second question')).toHaveCount(0);
});

test('search narrows the list', async ({ page }) => {
  await openApp(page, server);
  const list = page.getByRole('navigation', { name: 'Conversations' });
  await expect(list.getByRole('button', { name: /^Remember this conversation/ })).toBeVisible();
  await list.getByRole('searchbox', { name: 'Search conversations' }).fill('Hello Vega');
  await expect(list.getByRole('button', { name: /^Remember this conversation/ })).toHaveCount(0);
  await expect(list.getByRole('button', { name: /^Hello Vega/ })).toBeVisible();
});

test('a banner says Ollama is down, and chat works again once it is back', async ({ page }) => {
  await openApp(page, server);
  await server.standin.stop();
  try {
    await sendMessage(page, 'Are you there?');
    const banner = page.getByRole('alert').filter({ hasText: /not reachable|ollama serve/i });
    await expect(banner).toBeVisible({ timeout: 20_000 });
    // Never a blank screen: the conversation and the message box are still there.
    await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible();
  } finally {
    await server.standin.start();
  }
  await page.getByRole('alert').getByRole('button', { name: 'Dismiss' }).first().click();
  await sendMessage(page, 'And now?');
  await expect(lastAnswer(page)).toContainText('You said: And now?', { timeout: 15_000 });
  await expect(lastAnswer(page)).toContainText('THE END', { timeout: 15_000 });
  await expect(page.getByRole('alert').filter({ hasText: /not reachable/i })).toHaveCount(0);
});

test('the window says it lost the host, reconnects, and keeps the conversation', async ({ page }) => {
  await openApp(page, server);
  await sendMessage(page, 'Before the restart');
  await expect(lastAnswer(page)).toContainText('THE END', { timeout: 15_000 });
  const banner = page.getByRole('status').filter({ hasText: /reconnecting/i });
  await server.stopHost();
  await expect(banner).toBeVisible();
  // Still the app, not the sign-in card: the key was fine, the host is just gone.
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible();
  await server.startHost();
  await expect(banner).toHaveCount(0, { timeout: 20_000 });
  // On reconnect the window re-reads the open conversation; let that answer
  // land before sending. (A chat:get racing a chat:send on a conversation the
  // restarted host has not loaded yet can lose the message: a host-side race
  // in ConversationStore's first load, reported separately.)
  await page.waitForTimeout(500);
  await sendMessage(page, 'After the restart');
  await expect(lastAnswer(page)).toContainText('You said: After the restart', { timeout: 20_000 });
  await expect(page.locator('article[aria-label="You said"]').first()).toContainText('Before the restart');
});

test('a wrong key shows the sign-in message, not the app', async ({ browser }) => {
  // A fresh context: nothing kept from the signed-in tabs.
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.url}/?token=not-the-key`);
  await expect(page.getByText(/Open the address printed by/)).toBeVisible();
  await expect(page.getByText('npm run serve')).toBeVisible();
  await expect(page.getByRole('textbox', { name: 'Message' })).toHaveCount(0);
  await expect(page.getByRole('tab', { name: 'Dashboard' })).toHaveCount(0);
  // Pasting the right key opens the app.
  await page.getByLabel('Key').fill(server.key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible();
  await context.close();
});

test('no key at all also shows the sign-in message', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(server.url);
  await expect(page.getByText(/Open the address printed by/)).toBeVisible();
  await expect(page.getByRole('textbox', { name: 'Message' })).toHaveCount(0);
  await context.close();
});
