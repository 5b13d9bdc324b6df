import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { imageSize } from 'image-size';
import type { Page } from '@playwright/test';
import { png, pdf } from '../attachments/files.js';
import { expect, lastAnswer, openApp, screenshot, test, useVegaServer } from './fixtures.js';

// Attachments end to end: files dropped on the composer in Chromium, stored
// by the real web host, sent to the Ollama stand-in, kept over a reload and
// a restart, and removed with their conversation.
const server = useVegaServer({ standin: { models: ['llama3.2', 'llava'] }, env: { VEGA_MODEL: 'llava' } });
// Before the window opens: the host asks /api/show once per model and keeps the answer.
test.beforeAll(() => server.standin.set({ show: { capabilities: { llava: ['completion', 'vision'] } } }));

test.describe.configure({ mode: 'serial' });

const PHOTO = png(3000, 2000, [40, 120, 200]);
const ICON = png(64, 48, [200, 30, 30]);
const PDF = pdf(['The secret word is PELICAN.', 'Second page of the report.']);
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const stored = (id: string) => path.join(server.dataDir, 'data', 'attachments', id);

interface Dropped {
  readonly name: string;
  readonly bytes: Buffer;
  /** What the browser says it is; the host decides by content anyway. */
  readonly type: string;
}

/** Drag files over the composer and drop them, as a file manager would: a DataTransfer with Files. */
async function drop(page: Page, files: readonly Dropped[]): Promise<void> {
  const dataTransfer = await page.evaluateHandle(
    (list) => {
      const dt = new DataTransfer();
      for (const f of list) dt.items.add(new File([Uint8Array.from(atob(f.data), (c) => c.charCodeAt(0))], f.name, { type: f.type }));
      return dt;
    },
    files.map((f) => ({ name: f.name, type: f.type, data: f.bytes.toString('base64') })),
  );
  const composer = page.locator('form.composer');
  await composer.dispatchEvent('dragenter', { dataTransfer });
  await composer.dispatchEvent('dragover', { dataTransfer });
  // The drop target shows while files are held over the box.
  await expect(composer).toHaveClass(/dropping/);
  await composer.dispatchEvent('drop', { dataTransfer });
  await expect(composer).not.toHaveClass(/dropping/);
}

function chips(page: Page) {
  return page.getByRole('list', { name: 'Attachments' }).getByRole('listitem');
}

async function allReady(page: Page, count: number): Promise<void> {
  await expect(chips(page)).toHaveCount(count);
  await expect(chips(page).and(page.locator('[data-state="ready"]'))).toHaveCount(count, { timeout: 20_000 });
}

/** The /api/chat bodies the stand-in received so far. */
function chatRequests(): { messages: { role: string; content: string; images?: string[] }[]; model: string }[] {
  return server.standin.requests
    .filter((r) => r.path === '/api/chat')
    .map((r) => r.body as { messages: { role: string; content: string; images?: string[] }[]; model: string });
}

/** A thumbnail in the window that really decoded (a blob: URL the CSP let through). */
async function expectThumbnail(page: Page, name: string): Promise<void> {
  const img = page.locator('article[aria-label="You said"]').getByRole('img', { name });
  await expect(img).toBeVisible();
  await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth > 0)).toBe(true);
  expect(await img.getAttribute('src')).toMatch(/^blob:/);
}

async function openConversation(page: Page, title: RegExp): Promise<void> {
  await page.getByRole('navigation', { name: 'Conversations' }).getByRole('button', { name: title }).click();
}

let photoId = '';

test('a PNG and a PDF dropped on the composer reach a vision model: the image scaled, the text as context', async ({ page }) => {
  await openApp(page, server);
  await drop(page, [
    { name: 'photo.png', bytes: PHOTO, type: 'image/png' },
    { name: 'report.pdf', bytes: PDF, type: 'application/pdf' },
  ]);
  await allReady(page, 2);
  await expect(chips(page).filter({ hasText: 'report.pdf' })).toContainText('tokens');
  await screenshot(page, 'attachments-chips');

  const before = chatRequests().length;
  const box = page.getByRole('textbox', { name: 'Message' });
  await box.fill('Photo and report: what do you see?');
  await box.press('Enter');
  await expect(lastAnswer(page)).toContainText('You said', { timeout: 20_000 });
  await expect(chips(page)).toHaveCount(0);

  const sent = chatRequests().slice(before);
  expect(sent).toHaveLength(1);
  expect(sent[0]!.model).toMatch(/^llava/);
  const user = sent[0]!.messages.filter((m) => m.role === 'user').pop()!;
  expect(user.content).toContain('Photo and report: what do you see?');
  expect(user.content).toContain('PELICAN');
  expect(user.content).toContain('report.pdf');
  expect(user.images).toHaveLength(1);
  // Scaled in the window to 2048 px on the longest side; an opaque photo goes as JPEG.
  const image = Buffer.from(user.images![0]!, 'base64');
  expect(imageSize(image)).toMatchObject({ width: 2048, height: 1365, type: 'jpg' });
  photoId = sha256(image);
  expect(existsSync(stored(photoId))).toBe(true);
  expect(existsSync(stored(sha256(PDF)))).toBe(true);

  await expectThumbnail(page, 'photo.png');
  await expect(page.locator('.attach-doc', { hasText: 'report.pdf' })).toContainText('PDF');
  await screenshot(page, 'attachments-sent');

  // Click to enlarge; Escape closes and focus returns to the thumbnail.
  const thumb = page.getByRole('button', { name: 'Enlarge photo.png' });
  await thumb.click();
  const dialog = page.getByRole('dialog', { name: 'photo.png' });
  await expect(dialog.getByRole('img', { name: 'photo.png' })).toBeVisible();
  await screenshot(page, 'attachments-lightbox');
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(thumb).toBeFocused();
});

test('a model that cannot see refuses the image before any request, and offers one that can', async ({ page }) => {
  await openApp(page, server);
  await page.getByRole('button', { name: 'New chat' }).click();
  await page.getByRole('combobox', { name: 'Model' }).selectOption('llama3.2:latest');
  await drop(page, [
    { name: 'icon.png', bytes: ICON, type: 'image/png' },
    { name: 'report.pdf', bytes: PDF, type: 'application/pdf' },
  ]);
  await allReady(page, 2);
  const before = chatRequests().length;
  const box = page.getByRole('textbox', { name: 'Message' });
  await box.fill('Look at this icon');
  await box.press('Enter');

  const prompt = page.locator('.attach-prompt');
  await expect(prompt).toContainText(/see/);
  await screenshot(page, 'attachments-cannot-see');
  // Nothing went to the model, and nothing was lost.
  expect(chatRequests().length).toBe(before);
  await expect(box).toHaveValue('Look at this icon');
  await allReady(page, 2);

  await prompt.getByRole('button', { name: /^Use llava/ }).click();
  await expect(page.getByRole('combobox', { name: 'Model' })).toHaveValue(/^llava/);
  await box.press('Enter');
  await expect(lastAnswer(page)).toContainText('You said', { timeout: 20_000 });
  const user = chatRequests()
    .slice(before)
    .pop()!
    .messages.filter((m) => m.role === 'user')
    .pop()!;
  expect(user.images?.map((i) => sha256(Buffer.from(i, 'base64')))).toEqual([sha256(ICON)]);
});

test('after a reload and a restart of the host the thumbnails are still there', async ({ page }) => {
  await openApp(page, server);
  await openConversation(page, /^Photo and report/);
  await expectThumbnail(page, 'photo.png');
  await page.reload();
  await openConversation(page, /^Photo and report/);
  await expectThumbnail(page, 'photo.png');

  await server.restart();
  await openApp(page, server);
  await openConversation(page, /^Photo and report/);
  await expectThumbnail(page, 'photo.png');
  await expect(page.locator('.attach-doc', { hasText: 'report.pdf' })).toBeVisible();
});

test('deleting a conversation removes its files, but not one another conversation holds', async ({ page }) => {
  await openApp(page, server);
  const item = page
    .getByRole('navigation', { name: 'Conversations' })
    .getByRole('listitem')
    .filter({ hasText: /^Photo and report/ });
  await item.hover();
  await item.getByRole('button', { name: /^Delete/ }).click();
  await item.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(item).toHaveCount(0);
  // The scaled photo was only in that conversation; the PDF is in the other one too.
  await expect.poll(() => existsSync(stored(photoId)), { timeout: 10_000 }).toBe(false);
  expect(existsSync(stored(sha256(PDF)))).toBe(true);
  expect(existsSync(stored(sha256(ICON)))).toBe(true);
});
