/**
 * Chromium for the window section, found as the e2e specs find it, and what
 * it is asked over CDP: the renderer's main-thread time and heap
 * (`Performance.getMetrics`), the bytes of every response and WebSocket
 * frame (`Network`). The probes run in the page; the bench's tsconfig has no
 * DOM, so they are plain script text.
 */
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, findBrowser } from '../../scripts/find-browser.mjs';
import { sleep } from './stats.js';

/** Every wait in a page is bounded by this unless it says otherwise. */
export const PAGE_TIMEOUT_MS = 20_000;

export async function launchChromium(): Promise<Browser | { notFound: string }> {
  const found = findBrowser();
  if (!found.ok) return { notFound: found.reason };
  return chromium.launch({ executablePath: found.path, args: [...CHROMIUM_ARGS], timeout: 30_000 });
}

/** One reading of the renderer's main thread. Seconds, as CDP gives them. */
export interface Reading {
  readonly taskS: number;
  readonly scriptS: number;
  readonly heapBytes: number;
  readonly atS: number;
}

/** Share of one core the renderer's main thread was busy between two readings (0.15 = 15%). */
export function busy(a: Reading, b: Reading): number {
  return (b.taskS - a.taskS) / Math.max(1e-6, b.atS - a.atS);
}

export interface NetworkLog {
  /** Responses finished, with their bytes on the wire and CDP's monotonic time (s). */
  readonly finished: { bytes: number; atS: number }[];
  /** The first request's (the document's) CDP time and the page's fetchStart are the same moment. */
  documentSentS: number | undefined;
  /** Largest WebSocket frame received since the last reset, in bytes. */
  largestFrame: number;
}

export interface BenchPage {
  readonly context: BrowserContext;
  readonly page: Page;
  readonly cdp: CDPSession;
  /** Empty until `recordNetwork`. */
  readonly net: NetworkLog;
  read(): Promise<Reading>;
  /** From now on, CDP's Network domain records responses and frames (with the HTTP cache off). */
  recordNetwork(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A fresh context (empty cache, no cookies) with one page, the load probe
 * installed before any of the window's script runs. The Network domain is
 * off until asked for: where the renderer's own time is measured it would
 * copy every frame.
 */
export async function newBenchPage(browser: Browser): Promise<BenchPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(PAGE_TIMEOUT_MS);
  await context.addInitScript(LOAD_PROBE);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
  const net: NetworkLog = { finished: [], documentSentS: undefined, largestFrame: 0 };
  cdp.on('Network.requestWillBeSent', (e) => {
    if (net.documentSentS === undefined && e.type === 'Document') net.documentSentS = e.timestamp;
  });
  cdp.on('Network.loadingFinished', (e) => net.finished.push({ bytes: e.encodedDataLength, atS: e.timestamp }));
  cdp.on('Network.webSocketFrameReceived', (e) => {
    net.largestFrame = Math.max(net.largestFrame, Buffer.byteLength(e.response.payloadData, 'utf8'));
  });
  return {
    context,
    page,
    cdp,
    net,
    read: async () => {
      const { metrics } = await cdp.send('Performance.getMetrics');
      const m = new Map(metrics.map((x) => [x.name, x.value]));
      return {
        taskS: m.get('TaskDuration') ?? NaN,
        scriptS: m.get('ScriptDuration') ?? NaN,
        heapBytes: m.get('JSHeapUsedSize') ?? NaN,
        atS: m.get('Timestamp') ?? NaN,
      };
    },
    recordNetwork: async () => {
      await cdp.send('Network.enable');
      await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    },
    close: () => context.close(),
  };
}

const SIDEBAR = 'nav[aria-label="Conversations"]';
const CHAT = 'section[aria-label="Conversation"]';
const ANSWER = 'article[aria-label="Vega said"]';
const BOX = 'textarea[aria-label="Message"]';

/**
 * Installed before the window's script: notes (page clock, ms) when the
 * first conversation of the sidebar and a usable message box enter the DOM.
 * `stop()` ends it, so it costs nothing in what is measured after the load.
 */
const LOAD_PROBE = `(() => {
  const b = (window.__vegaBench = { listAt: null, readyAt: null });
  const check = () => {
    if (b.listAt === null && document.querySelector('${SIDEBAR} li, ${SIDEBAR} [role="listitem"]')) b.listAt = performance.now();
    if (b.readyAt === null) {
      const t = document.querySelector('${BOX}');
      if (t && !t.disabled && !t.readOnly) b.readyAt = performance.now();
    }
  };
  const mo = new MutationObserver(check);
  mo.observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['disabled', 'readonly'] });
  b.stop = () => mo.disconnect();
})();`;

/**
 * Poll `expr` in the page every 50 ms until it is true. Not waitForFunction:
 * the window's CSP forbids the eval it uses; an evaluate over CDP is not eval.
 */
async function until(p: BenchPage, expr: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await p.page.evaluate<boolean>(expr))) {
    if (Date.now() > end) throw new Error(`the window did not reach \`${expr.replace(/\s+/g, ' ').slice(0, 120)}\` within ${timeoutMs} ms`);
    await sleep(50);
  }
}

export interface LoadFigures {
  /** ms from navigation start. */
  readonly domContentLoaded: number;
  readonly fetchStart: number;
  readonly readyAt: number;
  readonly listAt: number | null;
}

/** Open the window and wait until the message box is usable (and, with `list`, the sidebar shows a conversation). */
export async function loadWindow(p: BenchPage, appUrl: string, list: boolean): Promise<LoadFigures> {
  await p.page.goto(appUrl, { waitUntil: 'domcontentloaded', timeout: PAGE_TIMEOUT_MS });
  await until(p, `window.__vegaBench.readyAt !== null && (${String(!list)} || window.__vegaBench.listAt !== null)`, PAGE_TIMEOUT_MS);
  return p.page.evaluate<LoadFigures>(`(() => {
    const b = window.__vegaBench;
    b.stop();
    const n = performance.getEntriesByType('navigation')[0];
    return { domContentLoaded: n.domContentLoadedEventStart, fetchStart: n.fetchStart, readyAt: b.readyAt, listAt: b.listAt };
  })()`);
}

export function domNodes(p: BenchPage): Promise<number> {
  return p.page.evaluate<number>(`document.getElementsByTagName('*').length`);
}

/**
 * Before a send: notes the Enter's time (the event's own stamp) and the
 * moment a new answer (one whose message id the window did not show
 * before) shows `firstToken`. Watches the chat pane only.
 */
export function armTurnProbe(p: BenchPage, firstToken: string): Promise<void> {
  return p.page.evaluate(`(() => {
    const root = document.querySelector('${CHAT}') ?? document.body;
    const known = new Set(Array.from(root.querySelectorAll('${ANSWER}'), (a) => a.dataset.messageId));
    const t = (window.__vegaTurn = { start: null, first: null });
    t.fresh = (text) => Array.from(root.querySelectorAll('${ANSWER}')).find((a) => !known.has(a.dataset.messageId) && a.textContent.includes(text));
    window.addEventListener('keydown', (e) => { if (e.key === 'Enter' && t.start === null) t.start = e.timeStamp; }, { capture: true, once: true });
    const mo = new MutationObserver(() => {
      if (!t.fresh(${JSON.stringify(firstToken)})) return;
      t.first = performance.now();
      mo.disconnect();
    });
    mo.observe(root, { subtree: true, childList: true, characterData: true });
  })()`);
}

/** Wait until the new answer has stopped streaming and shows `lastToken`; then the turn's page-clock times. */
export async function turnDone(p: BenchPage, lastToken: string, timeoutMs: number): Promise<{ start: number; first: number }> {
  await until(
    p,
    `(() => {
      const a = window.__vegaTurn.fresh(${JSON.stringify(lastToken)});
      return !!a && a.getAttribute('aria-busy') !== 'true';
    })()`,
    timeoutMs,
  );
  return p.page.evaluate<{ start: number; first: number }>(`({ start: window.__vegaTurn.start, first: window.__vegaTurn.first })`);
}

/** Type `text` and press Enter, as a person sends. */
export async function send(p: BenchPage, text: string): Promise<void> {
  const box = p.page.locator(BOX);
  await box.fill(text);
  await box.press('Enter');
}

/**
 * Click the sidebar entry named `title`; resolves with ms from the click to
 * the first frame where the message `messageId` is in the viewport.
 */
export async function openConversation(p: BenchPage, title: string, messageId: string, timeoutMs: number): Promise<number> {
  await p.page.evaluate(`(() => {
    const o = (window.__vegaOpen = { clickAt: null, shownAt: null });
    window.addEventListener('click', (e) => {
      o.clickAt = e.timeStamp;
      const frame = () => {
        const el = document.querySelector('[data-message-id=${JSON.stringify(messageId)}]');
        const r = el && el.getBoundingClientRect();
        if (r && r.height > 0 && r.top < innerHeight && r.bottom > 0) o.shownAt = performance.now();
        else requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
    }, { capture: true, once: true });
  })()`);
  await p.page.locator(SIDEBAR).getByRole('button', { name: title }).first().click();
  await until(p, `window.__vegaOpen.shownAt !== null`, timeoutMs);
  return p.page.evaluate<number>(`window.__vegaOpen.shownAt - window.__vegaOpen.clickAt`);
}
