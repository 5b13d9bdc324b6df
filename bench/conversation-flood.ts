/**
 * One-off measurement for issue 15, item 2: what the conversation list costs
 * the web host when sockets stop reading. On 127.0.0.1 only, bounded in count
 * and time (COUNT conversations, STALLED sockets, UPDATES updates, LIMIT_MS).
 *
 *   node --expose-gc --import tsx bench/conversation-flood.ts
 *
 * The host runs in a child process, so its RSS is its own (read from
 * /proc/<pid>/status: VmRSS now, VmHWM the peak). The stalled sockets are raw
 * TCP: they finish the WebSocket handshake and then never read again.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { HistoryStore } from '../src-main/chat/store.js';
import { stalledWebSocket } from '../tests/helpers/raw-http.js';
import { connectApi } from '../tests/helpers/ws-client.js';
import { fmtBytes, fmtMs, nowMs, sleep } from './lib/stats.js';

const COUNT = 1000;
const PROMPT_CHARS = 20_000;
const STALLED = 40;
const UPDATES = 3;
const LIMIT_MS = 180_000;
const KEY = 'bench-key-0123456789';

interface HostReady {
  readonly url: string;
}

if (process.argv[2] === '--host') void runHost(process.argv[3]!);
else void main();

/** The child: the real app and web host over the seeded folder. */
async function runHost(dir: string): Promise<void> {
  const { createVegaApp } = await import('../src-main/app/create-app.js');
  const { startWebHost } = await import('../src-main/web/host.js');
  const app = await createVegaApp({ host: 'web', envFile: path.join(dir, '.env'), env: { VEGA_DATA_DIR: path.join(dir, 'data') } });
  const host = await startWebHost({ app, port: 0, host: '127.0.0.1' });
  process.on('message', (m) => {
    if (m === 'gc') globalThis.gc?.();
    // Busy time of the event loop so far (ms): what a call costs the host, without the disk's fsync waits.
    process.send?.(performance.eventLoopUtilization().active);
  });
  process.send?.({ url: host.url } satisfies HostReady);
}

function prompt(i: number): string {
  const line = `You are assistant number ${i}. Answer briefly and cite sources. `;
  return line.repeat(Math.ceil(PROMPT_CHARS / line.length)).slice(0, PROMPT_CHARS);
}

async function seed(dir: string): Promise<void> {
  const store = await HistoryStore.open(path.join(dir, 'data', 'conversations'), pino({ level: 'silent' }));
  const t0 = Date.now();
  for (let i = 0; i < COUNT; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, COUNT - i) }, (_, k) =>
        store.create({
          type: 'header',
          v: 1,
          id: `flood${String(i + k).padStart(5, '0')}`,
          title: `Conversation ${i + k}`,
          model: 'llama3.2',
          provider: 'ollama',
          systemPrompt: prompt(i + k),
          createdAt: new Date(t0 + i + k).toISOString(),
        }),
      ),
    );
  }
  await store.flush();
}

/** VmRSS and VmHWM of a process, in bytes (Linux). */
function memOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

function ask(child: ChildProcess, what: 'gc' | 'busy'): Promise<number> {
  return new Promise((resolve) => {
    child.once('message', (busy) => resolve(busy as number));
    child.send(what);
  });
}

/** Round trip of one create from a reading window, and the host's event-loop time it took. */
async function timedCreate(child: ChildProcess, create: () => Promise<unknown>): Promise<{ ms: number; busyMs: number }> {
  const busy0 = await ask(child, 'busy');
  const t = nowMs();
  await create();
  const ms = nowMs() - t;
  return { ms, busyMs: (await ask(child, 'busy')) - busy0 };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vega-flood-'));
  writeFileSync(path.join(dir, '.env'), `VEGA_API_KEY=${KEY}\nVEGA_LOG_LEVEL=warn\n`);
  const bound = setTimeout(() => {
    console.error(`conversation-flood: still running after ${LIMIT_MS / 1000} s, stopping`);
    process.exit(1);
  }, LIMIT_MS);
  let child: ChildProcess | undefined;
  const stalled: net.Socket[] = [];
  try {
    await seed(dir);
    child = fork(fileURLToPath(import.meta.url), ['--host', dir], {
      execArgv: ['--expose-gc', '--import', 'tsx'],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const ready = await new Promise<HostReady>((resolve, reject) => {
      child!.once('message', (m) => resolve(m as HostReady));
      child!.once('exit', (code) => reject(new Error(`host exited with ${code}`)));
    });
    const pid = child.pid!;
    const url = new URL(ready.url);
    const reader = await connectApi(ready.url, KEY);
    let eventBytes = 0;
    reader.api.chat.onEvent((e) => (eventBytes += JSON.stringify(e).length));

    const t0 = nowMs();
    const list = await reader.api.chat.list();
    const listMs = nowMs() - t0;
    const listBytes = Buffer.byteLength(JSON.stringify(list));
    const alone = await timedCreate(child, () => reader.api.chat.create({ title: 'Alone', systemPrompt: prompt(COUNT) }));
    await ask(child, 'gc');
    const base = memOf(pid);

    for (let i = 0; i < STALLED; i++) stalled.push(await stalledWebSocket(Number(url.port), KEY));
    const updateMs: number[] = [];
    for (let i = 0; i < UPDATES; i++) {
      const t = nowMs();
      await reader.api.chat.update({ conversationId: list[i]!.id, title: `Renamed ${i}` });
      updateMs.push(nowMs() - t);
    }
    const attacked = await timedCreate(child, () => reader.api.chat.create({ title: 'One more', systemPrompt: prompt(COUNT + 1) }));
    await sleep(1_000);
    const during = memOf(pid);
    // Read again: a socket the host dropped ends once its buffered bytes are read.
    let dropped = 0;
    for (const s of stalled) s.once('close', () => dropped++).resume();
    await sleep(1_000);
    const open = STALLED - dropped;
    for (const s of stalled) s.destroy();
    await sleep(1_000);
    await ask(child, 'gc');
    const after = memOf(pid);
    await reader.close();

    const rows: [string, string][] = [
      ['conversations (20 KB system prompt each)', `${list.length}`],
      ['chat:list answer', `${fmtBytes(listBytes)} in ${fmtMs(listMs)}`],
      [`host RSS, before the attack (after gc)`, fmtBytes(base.rss)],
      [`host RSS peak, ${STALLED} stalled sockets + ${UPDATES} updates + 1 create`, fmtBytes(during.peak)],
      ['host RSS 1 s after the last call', fmtBytes(during.rss)],
      ['host RSS after the stalled sockets closed (after gc)', fmtBytes(after.rss)],
      ['stalled sockets the host still kept open', `${open} of ${STALLED}`],
      ['one update, round trip (each)', updateMs.map(fmtMs).join(', ')],
      ['one create, one reading window: round trip (host event-loop time)', `${fmtMs(alone.ms)} (${fmtMs(alone.busyMs)})`],
      ['one create, during the attack: round trip (host event-loop time)', `${fmtMs(attacked.ms)} (${fmtMs(attacked.busyMs)})`],
      ['chat events the reading window received', fmtBytes(eventBytes)],
    ];
    console.log('| measure | figure |\n|---|---|');
    for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
  } finally {
    clearTimeout(bound);
    for (const s of stalled) s.destroy();
    child?.kill('SIGTERM');
    await sleep(500);
    rmSync(dir, { recursive: true, force: true });
  }
}
