/**
 * 12. The window, as a person feels it (issue 16): Debian's Chromium drives
 * the built window served by the web host (`node out/web/serve.mjs`, its own
 * process) over the Ollama stand-in (another process, Markdown answers), and
 * CDP reads the renderer's main-thread time and heap. Both sides of every
 * comparison run in this one process, their reps interleaved; each figure is
 * the median of its reps with the spread.
 *
 *   1. an empty history vs 1,001 conversations (one of 2,000 messages):
 *      time to first token, main-thread time per 300-token answer, DOM
 *      nodes, the sidebar's list after DOMContentLoaded;
 *   2. a 2,000-token answer streamed at 100 tokens/s: renderer busy;
 *   3. the dashboard tab open vs the chat tab: renderer busy, JS heap;
 *   4. opening the 2,000-message conversation: click → newest message
 *      visible, the largest WebSocket frame;
 *   5. opening the page: DOMContentLoaded, bytes before the box is usable;
 *   6. time to first token: the window vs POST /chat vs the stand-in itself.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { Pool } from 'undici';
import { firstChunk } from '../lib/first-chunk.js';
import { RemoteServers } from '../lib/remote.js';
import { fmtBytes, fmtMs, fmtX, median, nowMs, round, sleep } from '../lib/stats.js';
import { MIN_REPS, checkReps, info, type BenchOptions, type Row, type SectionResult } from '../lib/types.js';
import {
  armTurnProbe,
  busy,
  domNodes,
  launchChromium,
  loadWindow,
  newBenchPage,
  openConversation,
  send,
  turnDone,
  type BenchPage,
} from '../lib/window-browser.js';
import { snapshotBuild, startWindowHost, type WindowHost } from '../lib/window-host.js';
import { FIRST_TOKEN, LAST_TOKEN } from '../lib/window-reply.js';
import { LONG_TITLE, seedHistory } from '../lib/window-seed.js';

const NAME = 'window';
const ANSWER_TOKENS = 300;
// Time after an answer ends in which its aftermath (the list pushed after a turn, a re-render) still counts.
const SETTLE_MS = 500;

const pct = (n: number) => `${(n * 100).toFixed(1)}%`;
const count = (n: number) => Math.round(n).toLocaleString('en-US');
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
const kb = (n: number) => fmtBytes(Math.round(n));
const sec = (n: number) => `${(n / 1000).toFixed(2)} s`;

interface Plan {
  readonly reps: number;
  readonly streamTokens: number;
  readonly chatSlices: number;
  readonly dashSlices: number;
  readonly sliceMs: { chat: number; dash: number };
  /** The section's own budget, inside run.ts's bound, so that it always cleans up after itself. */
  readonly budgetMs: number;
}

const QUICK: Plan = { reps: 3, streamTokens: 600, chatSlices: 3, dashSlices: 3, sliceMs: { chat: 2_000, dash: 3_000 }, budgetMs: 165_000 };
const FULL: Plan = {
  reps: 5,
  streamTokens: 2_000,
  chatSlices: 3,
  dashSlices: 5,
  sliceMs: { chat: 20_000, dash: 60_000 },
  budgetMs: 840_000,
};

/**
 * A message sent from the window: time to its first token, main-thread time
 * over the turn and its aftermath, the busy share while it streamed.
 */
async function turn(p: BenchPage, text: string, tokens: number): Promise<{ ttftMs: number; taskMs: number; busy: number; wallMs: number }> {
  await armTurnProbe(p, FIRST_TOKEN);
  const a = await p.read();
  const t0 = nowMs();
  await send(p, text);
  const t = await turnDone(p, LAST_TOKEN, 10_000 + tokens * 40);
  const wallMs = nowMs() - t0;
  const b = await p.read();
  await sleep(SETTLE_MS);
  const c = await p.read();
  return { ttftMs: t.first - t.start, taskMs: (c.taskS - a.taskS) * 1000, busy: busy(a, b), wallMs };
}

interface Rig {
  readonly browser: Browser;
  readonly empty: WindowHost;
  readonly full: WindowHost;
  readonly newestMessageId: string;
  readonly viaChat: () => ReturnType<typeof firstChunk>;
  readonly direct: () => ReturnType<typeof firstChunk>;
}

/** In a fresh window, closed whatever `f` does. */
async function inPage<T>(rig: Rig, f: (p: BenchPage) => Promise<T>): Promise<T> {
  const p = await newBenchPage(rig.browser);
  try {
    return await f(p);
  } finally {
    await p.close();
  }
}

interface Profile {
  ttft: number[];
  taskMs: number[];
  nodes: number[];
  listMs: number[];
}

const samples = () => ({
  empty: { ttft: [], taskMs: [], nodes: [], listMs: [] } as Profile,
  full: { ttft: [], taskMs: [], nodes: [], listMs: [] } as Profile,
  post: { headers: [] as number[], token: [] as number[], direct: [] as number[] },
  load: { dcl: [] as number[], bytes: [] as number[] },
  open: { ms: [] as number[], frame: [] as number[] },
  stream: { busy: [] as number[], tokensPerS: [] as number[] },
  tabs: { chat: { busy: [] as number[], heap: [] as number[] }, dashboard: { busy: [] as number[], heap: [] as number[] } },
});
type Samples = ReturnType<typeof samples>;

/**
 * 1, 4 and 6: each history in a fresh window (load, then one answer), then
 * in the big one the long conversation opened from the sidebar (the first
 * rep replays its file; later ones may find it cached); then POST /chat
 * and the stand-in read directly.
 */
async function historyRep(rig: Rig, s: Samples, rep: number): Promise<void> {
  for (const key of ['empty', 'full'] as const) {
    await inPage(rig, async (p) => {
      const load = await loadWindow(p, rig[key].appUrl, key === 'full');
      await sleep(SETTLE_MS);
      const nodes = await domNodes(p);
      const t = await turn(p, `Question ${rep} on the ${key} history`, ANSWER_TOKENS);
      s[key].ttft.push(t.ttftMs);
      s[key].taskMs.push(t.taskMs);
      s[key].nodes.push(nodes);
      if (load.listAt !== null) s[key].listMs.push(load.listAt - load.domContentLoaded);
      if (key === 'empty') return;
      await sleep(SETTLE_MS);
      await p.recordNetwork();
      s.open.ms.push(await openConversation(p, LONG_TITLE, rig.newestMessageId, 30_000));
      s.open.frame.push(p.net.largestFrame);
    });
  }
  const c = await rig.viaChat();
  const d = await rig.direct();
  s.post.headers.push(c.headersMs);
  s.post.token.push(c.ms);
  s.post.direct.push(d.ms);
}

/** 5: the first load of the window: bytes on the wire until the message box is usable. */
async function loadRep(rig: Rig, s: Samples): Promise<void> {
  await inPage(rig, async (p) => {
    await p.recordNetwork();
    const load = await loadWindow(p, rig.empty.appUrl, false);
    const net = p.net;
    // The document's request left at the page's fetchStart: that maps the page's clock onto CDP's.
    const readyS = (net.documentSentS ?? NaN) + (load.readyAt - load.fetchStart) / 1000;
    s.load.dcl.push(load.domContentLoaded);
    s.load.bytes.push(net.finished.filter((f) => f.atS <= readyS).reduce((sum, f) => sum + f.bytes, 0));
  });
}

/** 3: one window, the chat tab then the dashboard tab, each watched in consecutive slices. */
async function watchTabs(rig: Rig, s: Samples, plan: Plan): Promise<void> {
  await inPage(rig, async (p) => {
    await loadWindow(p, rig.empty.appUrl, false);
    const watch = async (into: { busy: number[]; heap: number[] }, slices: number, ms: number) => {
      for (let i = 0; i < slices; i++) {
        const a = await p.read();
        await sleep(ms);
        const b = await p.read();
        into.busy.push(busy(a, b));
        into.heap.push(b.heapBytes);
      }
    };
    await sleep(1_000);
    await watch(s.tabs.chat, plan.chatSlices, plan.sliceMs.chat);
    await p.page.getByRole('tab', { name: 'Dashboard' }).click();
    await p.page.getByRole('tabpanel', { name: 'Dashboard' }).waitFor({ state: 'visible' });
    await sleep(1_000);
    await watch(s.tabs.dashboard, plan.dashSlices, plan.sliceMs.dash);
  });
}

function rowsOf(s: Samples, plan: Plan): Row[] {
  const rows: Row[] = [];
  const n = Math.min(s.empty.ttft.length, s.full.ttft.length, s.post.token.length);
  const perRep = (f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));
  if (n > 0) {
    rows.push(
      checkReps(
        'window · UI time to first token, 1,001 conversations vs empty',
        perRep((i) => s.full.ttft[i]! / s.empty.ttft[i]!),
        1.2,
        '<=',
        fmtX,
        {
          detail: `${fmtMs(median(s.full.ttft))} vs ${fmtMs(median(s.empty.ttft))}; before: 106 ms vs 37 ms (2.9×)`,
        },
      ),
      checkReps(
        `window · renderer main-thread time per ${ANSWER_TOKENS}-token answer, 1,001 conversations vs empty`,
        perRep((i) => s.full.taskMs[i]! / s.empty.taskMs[i]!),
        1.2,
        '<=',
        fmtX,
        { detail: `${sec(median(s.full.taskMs))} vs ${sec(median(s.empty.taskMs))}; before: 2.48 s vs 1.15 s` },
      ),
      checkReps('window · DOM nodes, 1,001 conversations', s.full.nodes, 2_000, '<=', count, {
        detail: `empty history: ${count(median(s.empty.nodes))}; before: 30,525`,
      }),
      checkReps('window · sidebar list visible after DOMContentLoaded, 1,001 conversations', s.full.listMs, 300, '<=', fmtMs, {
        detail: 'before: 1.8 s',
      }),
      checkReps(
        'window · time to first token: what the window adds over POST /chat (empty history)',
        perRep((i) => s.empty.ttft[i]! - s.post.token[i]!),
        10,
        '<=',
        fmtMs,
        {
          targetText: '≤ 10 ms added',
          detail: `window ${fmtMs(median(s.empty.ttft))}, POST /chat ${fmtMs(median(s.post.token))} (headers ${fmtMs(median(s.post.headers))}), the stand-in read directly ${fmtMs(median(s.post.direct))}; before: 40 vs 14 vs 3 ms`,
        },
      ),
    );
  }
  if (s.load.bytes.length > 0) {
    rows.push(
      checkReps('window · bytes transferred before the message box is usable', s.load.bytes, 200 * 1024, '<=', kb, {
        targetText: '≤ 200 KB',
        detail: 'before: a 635 KB main chunk, uncompressed',
      }),
      info(
        'window · DOMContentLoaded',
        `${fmtMs(median(s.load.dcl))} (${fmtMs(Math.min(...s.load.dcl))}–${fmtMs(Math.max(...s.load.dcl))}, ${s.load.dcl.length} reps); before: 507 ms`,
      ),
    );
  }
  if (s.open.ms.length > 0) {
    rows.push(
      checkReps('window · open a 2,000-message conversation: click → newest message visible', s.open.ms, 120, '<=', fmtMs, {
        detail: 'before: 324 ms',
      }),
      info(
        'window · largest WebSocket frame opening it',
        `${kb(median(s.open.frame))} (largest of ${s.open.frame.length} reps: ${kb(Math.max(...s.open.frame))}); before: 1.4 MB`,
      ),
    );
  }
  if (s.stream.busy.length > 0) {
    rows.push(
      checkReps(
        `window · renderer busy while a ${count(plan.streamTokens)}-token answer streams at 100 tokens/s`,
        s.stream.busy,
        0.15,
        '<=',
        pct,
        {
          detail: `of a core, at ${Math.round(median(s.stream.tokensPerS))} tokens/s; before: 48–92% (2,000 tokens)`,
        },
      ),
    );
  }
  if (s.tabs.dashboard.busy.length > 0) {
    const span = `${(plan.dashSlices * plan.sliceMs.dash) / 1000} s in ${plan.dashSlices} slices`;
    rows.push(
      checkReps(`window · renderer with the dashboard tab open (${span})`, s.tabs.dashboard.busy, 0.02, '<=', pct, {
        detail: `of a core (chat tab: ${pct(median(s.tabs.chat.busy))}); before: 9.3% and rising over 5 min (chat tab: 0.6%)`,
      }),
      checkReps(`window · JS heap with the dashboard tab open (${span})`, s.tabs.dashboard.heap, 30 * 1024 * 1024, '<=', mb, {
        detail: `chat tab: ${mb(median(s.tabs.chat.heap))}; before: 38–61 MB (chat tab: 9 MB)`,
      }),
    );
  }
  return rows;
}

export async function run(opts: BenchOptions): Promise<SectionResult> {
  const plan = opts.quick ? QUICK : FULL;
  const started = nowMs();
  const left = () => plan.budgetMs - (nowMs() - started);
  // Progress on stderr (run.ts keeps stdout for the table): a phase's length says where a slow run went.
  const phase = (what: string) => process.stderr.write(`window: ${what} at ${((nowMs() - started) / 1000).toFixed(1)} s\n`);
  const launched = await launchChromium();
  if ('notFound' in launched) {
    return { name: NAME, figures: {}, rows: [info('window', 'not run: chromium not found')], notes: [`window: ${launched.notFound}`] };
  }
  const notes: string[] = [];
  const s = samples();
  const cleanup: (() => unknown)[] = [() => launched.close()];
  try {
    const build = snapshotBuild();
    cleanup.push(() => build.remove());
    const remote = await RemoteServers.start();
    cleanup.push(() => remote.close());
    const ollama = await remote.call<{ id: number; url: string }>({ op: 'ollama', tokens: ANSWER_TOKENS, markdown: true });
    const homes = [0, 1].map(() => mkdtempSync(path.join(os.tmpdir(), 'vega-bench-window-')));
    cleanup.push(() => homes.forEach((h) => rmSync(h, { recursive: true, force: true })));
    const seeded = seedHistory(path.join(homes[1]!, 'data'), { short: 1_000, shortMessages: 4, longMessages: 2_000 });
    const hosts: WindowHost[] = [];
    for (const h of homes) {
      const host = await startWindowHost(build.dir, h, ollama.url);
      hosts.push(host);
      cleanup.push(() => host.close());
    }
    const [empty, full] = hosts as [WindowHost, WindowHost];
    const toVega = new Pool(empty.url, { connections: 1 });
    const toFull = new Pool(full.url, { connections: 1 });
    const toOllama = new Pool(ollama.url, { connections: 1 });
    cleanup.push(
      () => toVega.close(),
      () => toFull.close(),
      () => toOllama.close(),
    );
    const prompt = { model: 'llama3.2', messages: [{ role: 'user', content: 'go' }], stream: true };
    const rig: Rig = {
      browser: launched,
      empty,
      full,
      newestMessageId: seeded.newestMessageId,
      viaChat: () => firstChunk(toVega, '/chat', { authorization: `Bearer ${empty.key}` }, { prompt: 'go', stream: true }),
      direct: () => firstChunk(toOllama, '/api/chat', {}, prompt),
    };
    phase('hosts up');

    // What the later phases need of the budget; the reps before them stop early on a machine too busy to fit them all.
    const tabsNeed = plan.chatSlices * plan.sliceMs.chat + plan.dashSlices * plan.sliceMs.dash + 10_000;
    let streamRepMs = plan.streamTokens * 12 + 3_000;
    let repMs = 0;
    // Both hosts' first answer (their chat path's first run) is not a rep.
    await rig.viaChat();
    await firstChunk(toFull, '/chat', { authorization: `Bearer ${full.key}` }, { prompt: 'go', stream: true });
    // 1, 4 and 6, then 5, rep by rep, so that a short budget costs every row the same reps.
    for (let rep = 0; rep < plan.reps; rep++) {
      if (rep > 0 && left() < tabsNeed + MIN_REPS * streamRepMs + repMs) break;
      const t0 = nowMs();
      await historyRep(rig, s, rep);
      await loadRep(rig, s);
      repMs = nowMs() - t0;
    }
    phase(`${s.open.ms.length} reps of the histories, the first load and the long conversation done`);

    // 2: a long answer paced by the clock at 100 tokens/s, in one window.
    await remote.call({ op: 'ollamaReply', tokens: plan.streamTokens, tokensPerSecond: 100, markdown: true });
    await inPage(rig, async (p) => {
      await loadWindow(p, empty.appUrl, false);
      for (let rep = 0; rep < MIN_REPS && left() > tabsNeed + streamRepMs; rep++) {
        const t = await turn(p, `Stream ${rep}`, plan.streamTokens);
        streamRepMs = t.wallMs + SETTLE_MS;
        s.stream.busy.push(t.busy);
        s.stream.tokensPerS.push(plan.streamTokens / (t.wallMs / 1000));
      }
    });
    await remote.call({ op: 'ollamaReply', tokens: ANSWER_TOKENS, markdown: true });
    phase('long answers done');

    if (left() > tabsNeed) await watchTabs(rig, s, plan);
    const missing = [
      [s.open.ms.length, 'the histories, the first load and the long conversation'],
      [s.stream.busy.length, 'the long answer'],
      [s.tabs.dashboard.busy.length, 'the dashboard tab'],
    ] as const;
    for (const [got, what] of missing)
      if (got < MIN_REPS)
        notes.push(
          `window: ${what}: ${got} reps, fewer than ${MIN_REPS}: the section's ${plan.budgetMs / 1000} s budget ran out (a busy machine).`,
        );
    if (opts.quick)
      notes.push(
        'window: quick run: 3 reps, a 600-token answer for the 100 tokens/s row and a 9 s dashboard window; the full run streams 2,000 tokens and watches the dashboard for 5 minutes.',
      );
  } finally {
    for (const c of cleanup.reverse()) await Promise.resolve(c()).catch((err: unknown) => notes.push(`window: cleanup: ${String(err)}`));
  }
  return { name: NAME, figures: { plan, ...s, seconds: round((nowMs() - started) / 1000, 1) }, rows: rowsOf(s, plan), notes };
}
