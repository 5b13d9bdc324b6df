#!/usr/bin/env node
// Renders build/icon.svg (the one source image) to build/icon.png (512×512)
// with Chromium (Playwright gives it a fresh profile); electron-builder
// derives the .icns and .ico from the PNG.
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_ARGS, findBrowser } from './find-browser.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const svg = readFileSync(path.join(root, 'build/icon.svg'), 'utf8');
const found = findBrowser();
if (!found.ok) {
  console.error(found.reason);
  process.exit(1);
}
const browser = await chromium.launch({ executablePath: found.path, args: CHROMIUM_ARGS });
const page = await browser.newPage({ viewport: { width: 512, height: 512 } });
await page.setContent(`<body style="margin:0;background:transparent">${svg}</body>`);
await page.locator('svg').screenshot({ path: path.join(root, 'build/icon.png'), omitBackground: true });
await browser.close();
console.log('wrote build/icon.png');
