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
import { Pool } from 'undici';
import { firstChunk } from '../lib/first-chunk.js';
import { RemoteServers } from '../lib/remote.js';
import { fmtBytes, fmtMs, fmtX, median, nowMs, round, sleep } from '../lib/stats.js';
import { MIN_REPS, checkReps, info, type Cmp, type BenchOptions, type Row, type SectionResult } from '../lib/types.js';
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
  budgetMs: 700_000,
};

/** checkReps once there are enough reps; fewer (the budget ran out on a slow machine) still show, unjudged. */
function repsRow(
  benchmark: string,
  values: readonly number[],
  target: number,
  cmp: Cmp,
  fmt: (n: number) => string,
  opts: { targetText?: string; detail?: string } = {},
): Row {
  if (values.length >= MIN_REPS) return checkReps(benchmark, values, target, cmp, fmt, opts);
  const figure = `${fmt(median(values))} (${values.length} rep${values.length === 1 ? '' : 's'} only: the budget ran out)${opts.detail ? `; ${opts.detail}` : ''}`;
  return info(benchmark, figure);
}

/** A short message sent from the window: press Enter, then the times the probe noted. */
async function turn(p: BenchPage, text: string, tokens: number): Promise<{ ttftMs: number; taskMs: number; busy: number; wallMs: number }> {
  await armTurnProbe(p, FIRST_TOKEN);
  const a = await p.read();
  const t0 = nowMs();
  await send(p, text);
  const t = await turnDone(p, LAST_TOKEN, 10_000 + tokens * 20);
  const wallMs = nowMs() - t0;
  const b = await p.read();
  await sleep(SETTLE_MS);
  const c = await p.read();
  return { ttftMs: t.first - t.start, taskMs: (c.taskS - a.taskS) * 1000, busy: busy(a, b), wallMs };
}

export async function run(opts: BenchOptions): Promise<SectionResult> {
  const plan = opts.quick ? QUICK : FULL;
  const started = nowMs();
  const left = () => plan.budgetMs - (nowMs() - started);
  // What each later phase needs of the budget (at a quiet machine's pace, with room): an earlier phase stops its reps to leave it.
  const streamWallMs = plan.streamTokens * 10;
  const tabsMs = plan.chatSlices * plan.sliceMs.chat + plan.dashSlices * plan.sliceMs.dash;
  const need = { tabs: tabsMs + 10_000, stream: MIN_REPS * (streamWallMs + 5_000), open: MIN_REPS * 8_000, load: MIN_REPS * 4_000 };
  // Progress on stderr (run.ts keeps stdout for the table): a phase's length says where a slow run went.
  const phase = (what: string) => process.stderr.write(`window: ${what} at ${((nowMs() - started) / 1000).toFixed(1)} s\n`);
  const launched = await launchChromium();
  if ('notFound' in launched) {
    return { name: NAME, figures: {}, rows: [info('window', 'not run: chromium not found')], notes: [`window: ${launched.notFound}`] };
  }
  const browser = launched;
  const rows: Row[] = [];
  const notes: string[] = [];
  const figures: Record<string, unknown> = { plan };
  const cleanup: (() => unknown)[] = [() => browser.close()];
  const skipped = (what: string) =>
    notes.push(`window: ${what} not run: the section's ${plan.budgetMs / 1000} s budget was spent (a busy machine).`);
  try {
    const build = snapshotBuild();
    cleanup.push(() => build.remove());
    const remote = await RemoteServers.start();
    cleanup.push(() => remote.close());
    const ollama = await remote.call<{ id: number; url: string }>({ op: 'ollama', tokens: ANSWER_TOKENS, markdown: true });
    const homes = [0, 1].map(() => mkdtempSync(path.join(os.tmpdir(), 'vega-bench-window-')));
    cleanup.push(() => homes.forEach((h) => rmSync(h, { recursive: true, force: true })));
    const seedStart = nowMs();
    const seeded = seedHistory(path.join(homes[1]!, 'data'), { short: 1_000, shortMessages: 4, longMessages: 2_000 });
    figures.seedMs = round(nowMs() - seedStart);
    const hosts: WindowHost[] = [];
    for (const h of homes) {
      const host = await startWindowHost(build.dir, h, ollama.url);
      hosts.push(host);
      cleanup.push(() => host.close());
    }
    const [empty, full] = hosts as [WindowHost, WindowHost];

    phase('hosts up');
    // 1 and 6: the two histories, a fresh window each rep, the reps interleaved; POST /chat and the stand-in beside the empty one.
    const toVega = new Pool(empty.url, { connections: 1 });
    const toOllama = new Pool(ollama.url, { connections: 1 });
    cleanup.push(
      () => toVega.close(),
      () => toOllama.close(),
    );
    const prompt = { model: 'llama3.2', messages: [{ role: 'user', content: 'go' }], stream: true };
    const viaChat = () => firstChunk(toVega, '/chat', { authorization: `Bearer ${empty.key}` }, { prompt: 'go', stream: true });
    const direct = () => firstChunk(toOllama, '/api/chat', {}, prompt);
    type Profile = { ttft: number[]; taskMs: number[]; nodes: number[]; listMs: number[]; dcl: number[] };
    const prof = (): Profile => ({ ttft: [], taskMs: [], nodes: [], listMs: [], dcl: [] });
    const side = { empty: prof(), full: prof() };
    const post = { headers: [] as number[], token: [] as number[], direct: [] as number[] };
    for (let rep = -1; rep < plan.reps && left() > need.tabs + need.stream + need.open + need.load; rep++) {
      for (const [key, host] of [
        ['empty', empty],
        ['full', full],
      ] as const) {
        const p = await newBenchPage(browser, { network: false });
        try {
          const load = await loadWindow(p, host.appUrl, key === 'full');
          await sleep(SETTLE_MS);
          const nodes = await domNodes(p);
          const t = await turn(p, `Question ${rep} on the ${key} history`, ANSWER_TOKENS);
          if (rep < 0) continue; // the warm-up: both hosts' first answer, the browser's first page
          const s = side[key];
          s.ttft.push(t.ttftMs);
          s.taskMs.push(t.taskMs);
          s.nodes.push(nodes);
          s.dcl.push(load.domContentLoaded);
          if (load.listAt !== null) s.listMs.push(load.listAt - load.domContentLoaded);
        } finally {
          await p.close();
        }
      }
      const c = await viaChat();
      const d = await direct();
      if (rep < 0) continue;
      post.headers.push(c.headersMs);
      post.token.push(c.ms);
      post.direct.push(d.ms);
    }
    figures.histories = side;
    figures.postChat = post;
    const n = Math.min(side.empty.ttft.length, side.full.ttft.length, post.token.length);
    const perRep = (f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));
    if (n === 0) skipped('the history comparison');
    else {
      rows.push(
        repsRow(
          'window · UI time to first token, 1,001 conversations vs empty',
          perRep((i) => side.full.ttft[i]! / side.empty.ttft[i]!),
          1.2,
          '<=',
          fmtX,
          {
            detail: `${fmtMs(median(side.full.ttft))} vs ${fmtMs(median(side.empty.ttft))}; before: 106 ms vs 37 ms (2.9×)`,
          },
        ),
        repsRow(
          `window · renderer main-thread time per ${ANSWER_TOKENS}-token answer, 1,001 conversations vs empty`,
          perRep((i) => side.full.taskMs[i]! / side.empty.taskMs[i]!),
          1.2,
          '<=',
          fmtX,
          { detail: `${sec(median(side.full.taskMs))} vs ${sec(median(side.empty.taskMs))}; before: 2.48 s vs 1.15 s` },
        ),
        repsRow('window · DOM nodes, 1,001 conversations', side.full.nodes, 2_000, '<=', count, {
          detail: `empty history: ${count(median(side.empty.nodes))}; before: 30,525`,
        }),
        repsRow('window · sidebar list visible after DOMContentLoaded, 1,001 conversations', side.full.listMs, 300, '<=', fmtMs, {
          detail: 'before: 1.8 s',
        }),
        repsRow(
          'window · time to first token: what the window adds over POST /chat (empty history)',
          perRep((i) => side.empty.ttft[i]! - post.token[i]!),
          10,
          '<=',
          fmtMs,
          {
            targetText: '≤ 10 ms added',
            detail: `window ${fmtMs(median(side.empty.ttft))}, POST /chat ${fmtMs(median(post.token))} (headers ${fmtMs(median(post.headers))}), the stand-in read directly ${fmtMs(median(post.direct))}; before: 40 vs 14 vs 3 ms`,
          },
        ),
      );
    }

    phase('histories done');
    // 5: the first load, bytes on the wire until the message box is usable.
    const loads = { dcl: [] as number[], bytes: [] as number[] };
    for (let rep = 0; rep < plan.reps && left() > need.tabs + need.stream + need.open; rep++) {
      const p = await newBenchPage(browser, { network: true });
      try {
        const load = await loadWindow(p, empty.appUrl, false);
        const net = p.net!;
        const readyS = (net.documentSentS ?? NaN) + (load.readyAt - load.fetchStart) / 1000;
        loads.dcl.push(load.domContentLoaded);
        loads.bytes.push(net.finished.filter((f) => f.atS <= readyS).reduce((sum, f) => sum + f.bytes, 0));
      } finally {
        await p.close();
      }
    }
    figures.firstLoad = loads;
    if (loads.bytes.length === 0) skipped('the first load');
    else {
      rows.push(
        repsRow('window · bytes transferred before the message box is usable', loads.bytes, 200 * 1024, '<=', kb, {
          targetText: '≤ 200 KB',
          detail: 'before: a 635 KB main chunk, uncompressed',
        }),
        info(
          'window · DOMContentLoaded',
          `${fmtMs(median(loads.dcl))} (${fmtMs(Math.min(...loads.dcl))}–${fmtMs(Math.max(...loads.dcl))}, ${loads.dcl.length} reps); before: 507 ms`,
        ),
      );
    }

    phase('first loads done');
    // 4: the 2,000-message conversation, from a fresh window each rep (the first rep replays its file).
    const open = { ms: [] as number[], frame: [] as number[] };
    for (let rep = 0; rep < plan.reps && left() > need.tabs + need.stream; rep++) {
      const p = await newBenchPage(browser, { network: true });
      try {
        await loadWindow(p, full.appUrl, true);
        await sleep(SETTLE_MS);
        p.net!.largestFrame = 0;
        open.ms.push(await openConversation(p, LONG_TITLE, seeded.newestMessageId, 20_000));
        open.frame.push(p.net!.largestFrame);
      } finally {
        await p.close();
      }
    }
    figures.openLong = open;
    if (open.ms.length === 0) skipped('opening the long conversation');
    else {
      rows.push(
        repsRow('window · open a 2,000-message conversation: click → newest message visible', open.ms, 120, '<=', fmtMs, {
          detail: 'before: 324 ms',
        }),
        info(
          'window · largest WebSocket frame opening it',
          `${kb(median(open.frame))} (largest of ${open.frame.length} reps: ${kb(Math.max(...open.frame))}); before: 1.4 MB`,
        ),
      );
    }

    phase('long conversation done');
    // 2: a long answer paced at 100 tokens/s.
    const stream = { busy: [] as number[], tokensPerS: [] as number[] };
    await remote.call({ op: 'ollamaReply', tokens: plan.streamTokens, tokenDelayMs: 10, markdown: true });
    {
      const p = await newBenchPage(browser, { network: false });
      try {
        await loadWindow(p, empty.appUrl, false);
        for (let rep = 0; rep < MIN_REPS && left() > need.tabs + streamWallMs + 5_000; rep++) {
          const t = await turn(p, `Stream ${rep}`, plan.streamTokens);
          stream.busy.push(t.busy);
          stream.tokensPerS.push(plan.streamTokens / (t.wallMs / 1000));
        }
      } finally {
        await p.close();
      }
    }
    await remote.call({ op: 'ollamaReply', tokens: ANSWER_TOKENS, markdown: true });
    figures.stream = stream;
    if (stream.busy.length === 0) skipped('the long answer');
    else {
      rows.push(
        repsRow(
          `window · renderer busy while a ${count(plan.streamTokens)}-token answer streams at 100 tokens/s`,
          stream.busy,
          0.15,
          '<=',
          pct,
          {
            detail: `of a core, paced at ${Math.round(median(stream.tokensPerS))} tokens/s; before: 48–92% (2,000 tokens)`,
          },
        ),
      );
    }

    phase('long answer done');
    // 3: the chat tab, then the dashboard tab, each watched in consecutive slices.
    const tabs = { chat: { busy: [] as number[], heap: [] as number[] }, dashboard: { busy: [] as number[], heap: [] as number[] } };
    if (left() > need.tabs) {
      const p = await newBenchPage(browser, { network: false });
      try {
        await loadWindow(p, empty.appUrl, false);
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
        await watch(tabs.chat, plan.chatSlices, plan.sliceMs.chat);
        await p.page.getByRole('tab', { name: 'Dashboard' }).click();
        await p.page.getByRole('tabpanel', { name: 'Dashboard' }).waitFor({ state: 'visible' });
        await sleep(1_000);
        await watch(tabs.dashboard, plan.dashSlices, plan.sliceMs.dash);
      } finally {
        await p.close();
      }
    } else skipped('the dashboard tab');
    figures.tabs = tabs;
    if (tabs.dashboard.busy.length > 0) {
      const span = `${(plan.dashSlices * plan.sliceMs.dash) / 1000} s in ${plan.dashSlices} slices`;
      rows.push(
        repsRow(`window · renderer with the dashboard tab open (${span})`, tabs.dashboard.busy, 0.02, '<=', pct, {
          detail: `of a core (chat tab: ${pct(median(tabs.chat.busy))}); before: 9.3% and rising over 5 min (chat tab: 0.6%)`,
        }),
        repsRow(`window · JS heap with the dashboard tab open (${span})`, tabs.dashboard.heap, 30 * 1024 * 1024, '<=', mb, {
          detail: `chat tab: ${mb(median(tabs.chat.heap))}; before: 38–61 MB (chat tab: 9 MB)`,
        }),
      );
    }
    if (opts.quick)
      notes.push(
        'window: quick run: 3 reps, a 600-token answer for the 100 tokens/s row and a 9 s dashboard window; the full run streams 2,000 tokens and watches the dashboard for 5 minutes.',
      );
  } finally {
    for (const c of cleanup.reverse()) await Promise.resolve(c()).catch((err: unknown) => notes.push(`window: cleanup: ${String(err)}`));
  }
  figures.seconds = round((nowMs() - started) / 1000, 1);
  return { name: NAME, figures, rows, notes };
}
