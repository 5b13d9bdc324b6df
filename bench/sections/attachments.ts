/**
 * 13. Attachments: a 12-megapixel photo and a large PDF with a text layer
 * (10 MB; 2 MB in a quick run) dropped on the composer of the real window
 * (Chromium) over `npm run serve` and the Ollama stand-in. Per rep: the time
 * from the drop until each chip is ready to send (the photo scaled and
 * thumbnailed in the window, then stored; the PDF stored and its text
 * extracted in the host's worker), the bytes of the request the model
 * receives (the photo as base64, the PDF's first part as context), and the
 * host process's peak resident memory over the rep (the kernel's VmHWM,
 * reset before each rep). The inputs are made here: the photo in Chromium's
 * canvas (a gradient with noise, so JPEG cannot shrink it to nothing), the
 * PDF page by page.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, findBrowser } from '../../scripts/find-browser.mjs';
import { pdf } from '../../tests/attachments/files.js';
import { startOllamaStandIn, type OllamaStandIn } from '../../tests/helpers/ollama-standin.js';
import { fmtBytes, fmtMs, median, sleep } from '../lib/stats.js';
import { info, type BenchOptions, type SectionResult } from '../lib/types.js';
import { snapshotBuild, startWindowHost, type WindowHost } from '../lib/window-host.js';

const PHOTO_SIDE = { width: 4000, height: 3000 };
const PAGE_TIMEOUT_MS = 60_000;

/**
 * A PDF of about `bytes` shaped like a report: 100 pages of 40 lines of text
 * (~330 KB of it) and, for the rest of the bytes, photos (image streams,
 * which a text reader skips). `tag` makes each rep's bytes (and so its stored file) new.
 */
function bigPdf(bytes: number, tag: string): Buffer {
  const words = 'vega keeps every attachment bounded typed and stored once by its content address'.split(' ');
  const line = (p: number, l: number) => Array.from({ length: 14 }, (_, i) => words[(i * 7 + p + l) % words.length]).join(' ');
  const pages = Array.from(
    { length: 100 },
    (_, p) => `${tag} page ${p + 1}\n${Array.from({ length: 40 }, (_, l) => line(p, l)).join('\n')}`,
  );
  const text = pdf(pages);
  const PHOTO_BYTES = 512 * 341 * 3;
  const photos = Math.max(0, Math.ceil((bytes - text.length) / PHOTO_BYTES));
  const photo = (i: number) => {
    const data = Buffer.alloc(PHOTO_BYTES, i % 251).toString('latin1');
    return `<< /Type /XObject /Subtype /Image /Width 512 /Height 341 /ColorSpace /DeviceRGB /BitsPerComponent 8 /Length ${data.length} >>\nstream\n${data}\nendstream`;
  };
  return pdf(pages, { objects: Array.from({ length: photos }, (_, i) => photo(i)) });
}

/** Resident memory figures of a process, bytes (Linux /proc; null elsewhere). */
function vm(pid: number): { rss: number; hwm: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return null;
  }
}

/** Start the peak over from now (writing 5 to clear_refs resets VmHWM to the current RSS). */
function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Poll a page expression (string: the bench's tsconfig has no DOM) until it is true. */
async function until(page: Page, expr: string, timeoutMs = PAGE_TIMEOUT_MS): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await page.evaluate<boolean>(expr))) {
    if (Date.now() > end) throw new Error(`the window did not reach \`${expr}\` within ${timeoutMs} ms`);
    await sleep(25);
  }
}

/**
 * In the page: make the photo (canvas, gradient plus noise, JPEG) and the
 * PDF's File, untimed; then drop each on the composer and note, with a
 * MutationObserver, when its chip turns ready (or fails).
 */
const DROP = `async ({ pdfB64, width, height }) => {
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d');
  const img = ctx.createImageData(width, height);
  const px = img.data;
  for (let y = 0, i = 0; y < height; y++)
    for (let x = 0; x < width; x++, i += 4) {
      const n = (Math.random() - 0.5) * 60;
      px[i] = (x / width) * 200 + n; px[i + 1] = (y / height) * 180 + n; px[i + 2] = 120 + n; px[i + 3] = 255;
    }
  ctx.putImageData(img, 0, 0);
  const photo = new File([await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.92 })], 'photo.jpg', { type: 'image/jpeg' });
  const pdf = new File([Uint8Array.from(atob(pdfB64), (c) => c.charCodeAt(0))], 'big.pdf', { type: 'application/pdf' });
  const form = document.querySelector('form.composer');
  const t = (window.__attach = { photoBytes: photo.size, pdfBytes: pdf.size, start: {}, done: {}, error: {} });
  const mo = new MutationObserver(() => {
    for (const li of document.querySelectorAll('.attach-chip')) {
      const name = li.querySelector('.attach-name').textContent;
      if (t.done[name] === undefined && li.dataset.state !== 'preparing') {
        t.done[name] = performance.now();
        if (li.dataset.state === 'error') t.error[name] = li.querySelector('.attach-state').textContent;
      }
    }
  });
  mo.observe(form, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
  // One after the other, each timed alone (the window stores files one at a time anyway).
  for (const f of [photo, pdf]) {
    const dt = new DataTransfer();
    dt.items.add(f);
    t.start[f.name] = performance.now();
    form.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    while (t.done[f.name] === undefined) await new Promise((r) => setTimeout(r, 10));
  }
}`;

interface Rep {
  readonly photoMs: number;
  readonly pdfMs: number;
  readonly bothMs: number;
  /** The host's message when it refused the PDF (its text took too long, say). */
  readonly pdfError: string | null;
  readonly photoIn: number;
  readonly pdfIn: number;
  readonly requestBytes: number;
  readonly imageB64Bytes: number;
  readonly contextChars: number;
  readonly rssBefore: number;
  readonly peakRss: number;
}

async function rep(page: Page, appUrl: string, standin: OllamaStandIn, pid: number, pdfBytes: number, tag: string): Promise<Rep> {
  await page.goto(appUrl);
  await until(page, `!!document.querySelector('textarea[aria-label="Message"]')`);
  const pdfB64 = bigPdf(pdfBytes, tag).toString('base64');
  const before = vm(pid);
  if (!resetPeak(pid)) throw new Error('cannot reset the peak RSS of the host (/proc/<pid>/clear_refs)');
  await page.evaluate(`(${DROP})(${JSON.stringify({ pdfB64, ...PHOTO_SIDE })})`);
  await until(page, `Object.keys(window.__attach.done).length === 2`, 120_000);
  const t = await page.evaluate<{
    photoBytes: number;
    pdfBytes: number;
    start: Record<string, number>;
    done: Record<string, number>;
    error: Record<string, string>;
  }>(`window.__attach`);
  // A file the host refused keeps its message on its chip and stays out of the message, as for a person.
  if (t.error['photo.jpg']) throw new Error(`the photo was refused: ${t.error['photo.jpg']}`);

  // Send; 10 MB of text does not fit the context, so the window offers its first part (clicked when it shows).
  const sent = standin.requests.length;
  await page.fill('textarea[aria-label="Message"]', `Bench ${tag}: summarise`);
  await page.press('textarea[aria-label="Message"]', 'Enter');
  const firstPart = page.getByRole('button', { name: 'Include the first part' });
  const answered = () => standin.requests.slice(sent).some((r) => r.path === '/api/chat');
  const end = Date.now() + PAGE_TIMEOUT_MS;
  while (!answered()) {
    if (await firstPart.isVisible()) await firstPart.click();
    if (Date.now() > end) throw new Error('the message did not reach the stand-in');
    await sleep(50);
  }
  const peak = vm(pid);
  const body = standin.requests.slice(sent).find((r) => r.path === '/api/chat')!.body as {
    messages: { role: string; content: string; images?: string[] }[];
  };
  const user = body.messages.filter((m) => m.role === 'user').pop();
  return {
    photoMs: t.done['photo.jpg']! - t.start['photo.jpg']!,
    pdfMs: t.done['big.pdf']! - t.start['big.pdf']!,
    bothMs: t.done['big.pdf']! - t.start['photo.jpg']!,
    pdfError: t.error['big.pdf'] ?? null,
    photoIn: t.photoBytes,
    pdfIn: t.pdfBytes,
    requestBytes: Buffer.byteLength(JSON.stringify(body)),
    imageB64Bytes: (user?.images ?? []).reduce((n, i) => n + i.length, 0),
    contextChars: user?.content.length ?? 0,
    rssBefore: before?.rss ?? NaN,
    peakRss: peak?.hwm ?? NaN,
  };
}

export async function run(opts: BenchOptions): Promise<SectionResult> {
  const found = findBrowser();
  if (!found.ok) return { name: 'attachments', figures: {}, rows: [info('attachments · not run', found.reason)] };
  const reps = opts.quick ? 1 : 3;
  const pdfBytes = (opts.quick ? 2 : 10) * 1024 * 1024;
  const standin = await startOllamaStandIn({ models: ['llama3.2'] });
  standin.set({ show: { capabilities: { 'llama3.2': ['completion', 'vision'] } } });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vega-bench-attach-'));
  let build: ReturnType<typeof snapshotBuild> | undefined;
  let browser: Browser | undefined;
  let host: WindowHost | undefined;
  try {
    build = snapshotBuild();
    // The host's default model, llama3.2, is the one that can see here.
    host = await startWindowHost(build.dir, dir, standin.url);
    browser = await chromium.launch({ executablePath: found.path, args: [...CHROMIUM_ARGS], timeout: 30_000 });
    const results: Rep[] = [];
    for (let i = 0; i < reps; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      context.setDefaultTimeout(PAGE_TIMEOUT_MS);
      try {
        results.push(await rep(await context.newPage(), host.appUrl, standin, host.pid, pdfBytes, `rep${i}-${Date.now()}`));
      } finally {
        await context.close();
      }
    }
    const med = (
      k: 'photoMs' | 'pdfMs' | 'bothMs' | 'photoIn' | 'pdfIn' | 'requestBytes' | 'imageB64Bytes' | 'contextChars' | 'rssBefore' | 'peakRss',
    ) => median(results.map((r) => r[k]));
    const pdfErrors = results.flatMap((r) => (r.pdfError ? [r.pdfError] : []));
    const pdfOutcome = pdfErrors.length ? `refused in ${pdfErrors.length} of ${results.length} reps: “${pdfErrors[0]}”; ` : '';
    const n = `${results.length} rep${results.length > 1 ? 's' : ''}, median`;
    const photo = `12 MP photo (${PHOTO_SIDE.width}×${PHOTO_SIDE.height} JPEG, ${fmtBytes(med('photoIn'))})`;
    const doc = `${fmtBytes(med('pdfIn'))} PDF`;
    return {
      name: 'attachments',
      figures: { reps: results, pdfBytes, photo: PHOTO_SIDE },
      rows: [
        info(`attachments · ${photo}: drop → chip ready (scaled to 2048 px, thumbnail, stored)`, `${fmtMs(med('photoMs'))} (${n})`),
        info(
          `attachments · ${doc}: drop → chip ready (stored, text extracted in the worker)`,
          `${pdfOutcome}${fmtMs(med('pdfMs'))} (${n})`,
        ),
        info('attachments · both (the window stores one file at a time): first drop → ready to send', `${fmtMs(med('bothMs'))} (${n})`),
        info(
          'attachments · bytes sent to the model (the /api/chat body: the image as base64, the text with the first part of the PDF)',
          `${fmtBytes(med('requestBytes'))}: image ${fmtBytes(med('imageB64Bytes'))} base64, text ${fmtBytes(med('contextChars'))} (${n})`,
        ),
        info(
          'attachments · host process peak RSS during attach + send',
          `${fmtBytes(med('peakRss'))} (from ${fmtBytes(med('rssBefore'))} before; +${fmtBytes(med('peakRss') - med('rssBefore'))}) (${n})`,
        ),
      ],
      notes: opts.quick ? [`Quick run: a ${fmtBytes(pdfBytes)} PDF instead of 10 MB, one rep.`] : [],
    };
  } finally {
    await browser?.close();
    await host?.close();
    await standin.close();
    build?.remove();
    rmSync(dir, { recursive: true, force: true });
  }
}
