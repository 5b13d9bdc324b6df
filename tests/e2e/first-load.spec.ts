import { expect, lastAnswer, openApp, sendMessage, test, useVegaServer } from './fixtures.js';

// The first screen over the wire: what the browser fetches before the message
// box is usable, as sent by the built host (compressed copies, no source maps).
const server = useVegaServer({ standin: { reply: () => 'Some **bold** words and `code`.' } });

/** The budget for everything before the message box is usable (the entry chunk, its CSS, the page). */
const FIRST_SCREEN_BYTES = 200 * 1024;

test('the first screen costs under 200 KB on the wire, brotli-compressed, with the Markdown stack left for later', async ({ page }) => {
  const fetched: { url: string; size: Promise<number> }[] = [];
  page.on('requestfinished', (req) =>
    fetched.push({ url: req.url(), size: req.sizes().then((s) => s.responseBodySize + s.responseHeadersSize) }),
  );
  await openApp(page, server);
  const before = await Promise.all(fetched.map(async (f) => ({ url: f.url, size: await f.size })));
  const total = before.reduce((sum, f) => sum + f.size, 0);
  expect(total, JSON.stringify(before)).toBeLessThan(FIRST_SCREEN_BYTES);
  expect(before.some((f) => /MarkdownBody|DashboardPanels/.test(f.url))).toBe(false);

  const entry = await page.locator('script[type="module"]').first().getAttribute('src');
  expect(entry).toBeTruthy();
  const asset = new URL(entry!, server.url + '/').href;
  const br = await page.request.get(asset, { headers: { 'accept-encoding': 'br, gzip' } });
  expect(br.headers()['content-encoding']).toBe('br');
  expect(br.headers()['vary']).toBe('Accept-Encoding');
  const gz = await page.request.get(asset, { headers: { 'accept-encoding': 'gzip' } });
  expect(gz.headers()['content-encoding']).toBe('gzip');
  // The build writes no maps, and the host would not send one anyway.
  expect((await page.request.get(`${asset}.map`)).status()).toBe(404);

  // An answer still renders as Markdown once the stack arrives.
  await sendMessage(page, 'Format something');
  await expect(lastAnswer(page).locator('strong')).toHaveText('bold');
});
