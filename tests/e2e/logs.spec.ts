import type { Page } from '@playwright/test';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { countingReply, expect, lastAnswer, openApp, screenshot, sendMessage, test, useVegaServer, seriousViolations } from './fixtures.js';

// The Logs view, request ids followed from the window to the log, diagnostics,
// and the Sign-in section, against the real web host.
const server = useVegaServer({ standin: { reply: countingReply(8), tokenDelayMs: 5 } });

test.describe.configure({ mode: 'serial' });

/**
 * A sign-in provider on 127.0.0.1: OIDC discovery and the device grant. The
 * token endpoint says authorization_pending until `approve()`, as a person
 * approving in the browser would end it.
 */
interface Idp {
  readonly url: string;
  approve(): void;
  close(): Promise<void>;
}

function startIdp(): Promise<Idp> {
  let approved = false;
  const srv = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const base = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const route = `${req.method} ${new URL(req.url ?? '/', base).pathname}`;
      if (route === 'GET /.well-known/openid-configuration') {
        return send(200, {
          issuer: base,
          device_authorization_endpoint: `${base}/oauth/device`,
          token_endpoint: `${base}/oauth/token`,
          authorization_endpoint: `${base}/authorize`,
        });
      }
      if (route === 'POST /oauth/device') {
        return send(200, {
          device_code: 'e2e-device-code',
          user_code: 'WDJB-MJHT',
          verification_uri: `${base}/activate`,
          verification_uri_complete: `${base}/activate?code=WDJB-MJHT`,
          expires_in: 600,
          interval: 1,
        });
      }
      if (route === 'POST /oauth/token') {
        return approved
          ? send(200, { access_token: 'e2e-access-token', token_type: 'Bearer', expires_in: 3600, scope: 'openid profile' })
          : send(400, { error: 'authorization_pending' });
      }
      send(404, { error: 'not_found' });
    });
  });
  return new Promise((resolve) =>
    srv.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`,
        approve: () => void (approved = true),
        close: () => new Promise<void>((r) => srv.close(() => r())),
      }),
    ),
  );
}

let idp: Idp;
test.beforeAll(async () => {
  idp = await startIdp();
});
test.afterAll(async () => {
  await idp?.close();
});

/** Send a message, wait for the whole answer, and return the request id it carries. */
async function answeredRequestId(page: Page, text: string): Promise<string> {
  await sendMessage(page, text);
  const answer = lastAnswer(page);
  await expect(answer).toContainText('THE END', { timeout: 15_000 });
  const id = await answer.locator('[data-request-id]').getAttribute('data-request-id');
  expect(id).toMatch(/^[\w.-]{1,64}$/);
  return id!;
}

function logsRegion(page: Page) {
  return page.getByRole('region', { name: 'Logs', exact: true });
}

/** Each shown line's request id (null for a line without one). */
async function shownRequestIds(page: Page): Promise<(string | null)[]> {
  return logsRegion(page)
    .locator('tbody tr')
    .evaluateAll((rows) => rows.map((r) => r.querySelector('[data-request-id]')?.getAttribute('data-request-id') ?? null));
}

test('a chat answer is followed by its request ID to the line "chat answer finished"', async ({ page }) => {
  await openApp(page, server);
  const id = await answeredRequestId(page, 'Follow me into the log');

  await page.getByRole('tab', { name: 'Logs' }).click();
  const logs = logsRegion(page);
  await expect(logs).toBeVisible();
  // Unfiltered: the newest lines of every request.
  await expect(logs.locator('tbody tr').first()).toBeVisible();

  await logs.getByRole('textbox', { name: 'Request ID' }).fill(id);
  await logs.getByRole('textbox', { name: 'Request ID' }).press('Enter');
  const finished = logs.getByRole('row').filter({ hasText: 'chat answer finished' });
  await expect(finished).toHaveCount(1);
  await expect(finished).toContainText('info');
  await expect(finished).toContainText('model=llama3.2');
  // Every line shown belongs to that request.
  await expect.poll(async () => [...new Set(await shownRequestIds(page))]).toEqual([id]);
});

test('clicking the request ID of an answer opens the Logs view filtered by it', async ({ page }) => {
  await openApp(page, server);
  const id = await answeredRequestId(page, 'Click through to the log');
  await lastAnswer(page)
    .getByRole('button', { name: `Show logs for request ${id}` })
    .click();

  await expect(page.getByRole('tab', { name: 'Logs' })).toHaveAttribute('aria-selected', 'true');
  const logs = logsRegion(page);
  await expect(logs.getByRole('textbox', { name: 'Request ID' })).toHaveValue(id);
  await expect(logs.getByRole('row').filter({ hasText: 'chat answer finished' })).toHaveCount(1);
  await expect.poll(async () => [...new Set(await shownRequestIds(page))]).toEqual([id]);
});

test("the dashboard's Recent requests table leads to the same log lines", async ({ page }) => {
  await openApp(page, server);
  const id = await answeredRequestId(page, 'Trace me from the dashboard');
  await page.getByRole('tab', { name: 'Dashboard' }).click();
  const table = page.getByRole('region', { name: 'Recent requests table' });
  // The chat's call to the model server carries the window's request id.
  const link = table.getByRole('button', { name: `Show logs for request ${id}` }).first();
  await expect(link).toBeVisible({ timeout: 15_000 });
  await link.click();

  await expect(page.getByRole('tab', { name: 'Logs' })).toHaveAttribute('aria-selected', 'true');
  await expect(logsRegion(page).getByRole('textbox', { name: 'Request ID' })).toHaveValue(id);
  await expect(logsRegion(page).getByRole('row').filter({ hasText: 'chat answer finished' })).toHaveCount(1);
});

test('the Level filter shows that level and above', async ({ page }) => {
  await openApp(page, server);
  await page.getByRole('tab', { name: 'Logs' }).click();
  const logs = logsRegion(page);
  await expect(logs.locator('tbody tr').first()).toBeVisible();
  await expect(logs.locator('.log-level', { hasText: /^info$/ }).first()).toBeVisible();
  await logs.getByRole('combobox', { name: 'Level' }).selectOption('warn');
  await expect(logs.locator('.log-level', { hasText: /^info$/ })).toHaveCount(0);
  const levels = await logs.locator('.log-level').allTextContents();
  expect(levels.every((l) => ['warn', 'error', 'fatal'].includes(l))).toBe(true);
});

test('Export diagnostics says where the JSON file was saved', async ({ page }) => {
  await openApp(page, server);
  await page.getByRole('tab', { name: 'Logs' }).click();
  await logsRegion(page).getByRole('button', { name: 'Export diagnostics' }).click();
  const toast = page.getByRole('status').filter({ hasText: 'Diagnostics saved to' });
  await expect(toast).toBeVisible();
  const text = (await toast.textContent()) ?? '';
  const file = /Diagnostics saved to (.+\.json)$/.exec(text.trim())?.[1];
  expect(file, text).toBeTruthy();
  expect(file!.startsWith(server.dataDir)).toBe(true);
  expect(existsSync(file!)).toBe(true);
  const report = JSON.parse(readFileSync(file!, 'utf8')) as { logs: unknown[] };
  expect(report.logs.length).toBeGreaterThan(0);
});

test('sign-in with OpenID Connect: configure, code shown, approved, signed in, signed out', async ({ page }) => {
  await openApp(page, server);
  await page.getByRole('tab', { name: 'Settings' }).click();
  await expect(page.getByRole('heading', { name: 'Sign-in' })).toBeVisible();
  const oidc = page.getByRole('group', { name: 'OpenID Connect' });
  await expect(oidc).toContainText('Needs OIDC_ISSUER and OIDC_CLIENT_ID');
  await expect(page.getByRole('group', { name: 'GitHub' })).toContainText('Needs GITHUB_CLIENT_ID');

  await page.getByLabel('OIDC_ISSUER', { exact: true }).fill(idp.url);
  await page.getByLabel('OIDC_CLIENT_ID', { exact: true }).fill('vega-e2e');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Settings saved' })).toBeVisible();
  await expect(oidc).toContainText('Not signed in');

  await oidc.getByRole('button', { name: 'Sign in' }).click();
  await expect(oidc.getByTestId('sso-user-code')).toHaveText('WDJB-MJHT');
  const link = oidc.getByRole('link', { name: `${idp.url}/activate` });
  await expect(link).toHaveAttribute('href', `${idp.url}/activate?code=WDJB-MJHT`);
  await expect(link).toHaveAttribute('target', '_blank');
  await expect(oidc.getByRole('timer')).toContainText(/Code expires in (10:00|9:\d\d)/);

  // Settings with a code on screen, in both themes.
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, `settings-sign-in-${colorScheme}`);
  }
  await page.emulateMedia({ colorScheme: 'light' });

  idp.approve();
  await expect(oidc).toContainText('Signed in', { timeout: 15_000 });
  await expect(oidc.getByTestId('sso-user-code')).toHaveCount(0);
  await expect(oidc).toContainText('Until');
  await oidc.getByRole('button', { name: 'Sign out' }).click();
  await expect(oidc).toContainText('Not signed in');
});

for (const colorScheme of ['light', 'dark'] as const) {
  test(`logs and settings: no serious or critical axe violation (${colorScheme})`, async ({ page }) => {
    // Four full axe passes over the page: 20 s on a quiet machine, past 30 s on a busy one.
    test.slow();
    await page.emulateMedia({ colorScheme });
    await page.setViewportSize({ width: 1440, height: 1000 });
    await openApp(page, server);
    const id = await answeredRequestId(page, `Accessible logs ${colorScheme}`);
    // The answer with its request id in the stats line.
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole('tab', { name: 'Logs' }).click();
    await expect(logsRegion(page).locator('tbody tr').first()).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, `logs-${colorScheme}`);

    await logsRegion(page).getByRole('textbox', { name: 'Request ID' }).fill(id);
    await expect(logsRegion(page).getByRole('row').filter({ hasText: 'chat answer finished' })).toHaveCount(1);
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole('tab', { name: 'Settings' }).click();
    await expect(page.getByRole('heading', { name: 'Sign-in' })).toBeVisible();
    await expect(page.getByRole('group', { name: 'GitHub' })).toContainText('Not configured');
    expect(await seriousViolations(page)).toEqual([]);
  });
}
