import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChat } from '../../src-main/chat/index.js';
import { HistoryStore } from '../../src-main/chat/store.js';
import type { ChatMessage } from '../../src-shared/chat.js';
import { tempEngine } from '../helpers/engine.js';
import { scale, seeded, within } from '../helpers/fault-kit.js';
import { startOllamaStandIn, type OllamaStandIn } from '../helpers/ollama-standin.js';
import { userText } from './fixtures/crash-text.js';

// The process is killed (SIGKILL) while the chat service writes history, again
// and again at random moments, into the same conversation. After each kill,
// every message whose save had completed is there, complete, and the next
// run appends after the torn tail as if nothing happened.

const KILLS = scale(10, 20);
const SEED = Number(process.env.VEGA_SEED ?? Date.now() % 1_000_000);
const writer = path.join(__dirname, 'fixtures/chat-writer.ts');
const silent = pino({ level: 'silent' });

let ollama: OllamaStandIn;
let dir = '';
beforeAll(async () => {
  ollama = await startOllamaStandIn();
  dir = mkdtempSync(path.join(os.tmpdir(), 'vega-kill-'));
});
afterAll(async () => {
  await ollama.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  readonly run: number;
  /** Indexes whose user message / answer the child reported saved. */
  readonly users: number;
  readonly answers: number;
}

/** Start the writer, let it run for `ms` after it is ready, then SIGKILL it. */
async function killedRun(run: number, ms: number): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', writer, dir, ollama.url, String(run)], {
    cwd: path.resolve(__dirname, '../..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += String(d)));
  child.stderr.on('data', (d: Buffer) => (err += String(d)));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
  try {
    await within(
      20_000,
      new Promise<void>((resolve, reject) => {
        const check = () => (/^ready /m.test(out) ? resolve() : undefined);
        child.stdout.on('data', check);
        child.on('exit', () => reject(new Error(`writer exited before it was ready:\n${out}\n${err}`)));
      }),
      'the writer to start',
    );
    await new Promise((r) => setTimeout(r, ms));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  expect(out, err).not.toMatch(/^error /m);
  const last = (kind: string) => Math.max(-1, ...[...out.matchAll(new RegExp(`^${kind} (\\d+)$`, 'gm'))].map((m) => Number(m[1])));
  return { run, users: last('user') + 1, answers: last('answer') + 1 };
}

/** Every message is whole: a user message as written, an answer equal to the reply to the user message before it. */
function checkWhole(messages: readonly ChatMessage[]): void {
  const seen = new Set<string>();
  messages.forEach((m, i) => {
    expect(seen.has(m.id), `message ${m.id} appears twice`).toBe(false);
    seen.add(m.id);
    if (m.role === 'user') {
      const match = /^r(\d+)-m(\d+) /.exec(m.content);
      expect(match, `user message ${i} is not one the writer sent`).not.toBeNull();
      expect(m.content).toBe(userText(match![1]!, Number(match![2])));
    } else {
      expect(m.role).toBe('assistant');
      const prev = messages[i - 1];
      expect(prev?.role, `answer ${i} follows no question`).toBe('user');
      expect(m.content).toBe(`You said: ${prev!.content}`);
      expect(m.partial).toBeUndefined();
      expect(m.error).toBeUndefined();
    }
  });
}

describe(`SIGKILL while the chat history is written (${KILLS} kills, seed ${SEED})`, () => {
  it('every saved message survives every kill, whole; the conversations go on after each', async () => {
    const random = seeded(SEED);
    const acked: string[] = [];
    let torn = 0;
    let forced = 0;
    const sizes = new Map<string, number>();
    let total = 0;
    const convDir = path.join(dir, 'conversations');
    for (let k = 0; k < KILLS; k++) {
      const r = await killedRun(k, Math.floor(random() * 400));
      for (let i = 0; i < r.users; i++) acked.push(`user ${userText(String(k), i)}`);
      for (let i = 0; i < r.answers; i++) acked.push(`answer You said: ${userText(String(k), i)}`);

      const files = readdirSync(convDir)
        .filter((n) => n.endsWith('.jsonl'))
        .map((n) => path.join(convDir, n));
      for (const f of files) {
        const bytes = readFileSync(f);
        // Counted once: a torn file that this run did not touch was counted before.
        if (bytes.length && bytes[bytes.length - 1] !== 0x0a && sizes.get(f) !== bytes.length) torn++;
        sizes.set(f, bytes.length);
      }
      // A kill inside the write() call leaves a prefix of the line on disk. Natural kills land
      // there only now and then, so every third kill leaves one for certain: half a record, cut
      // inside a two-byte character, at the end of the newest file.
      if (k % 3 === 2) {
        const newest = files.map((f) => ({ f, t: statSync(f).mtimeMs })).sort((a, b) => b.t - a.t)[0]!.f;
        const line = Buffer.from(
          `${JSON.stringify({ type: 'message', id: `torn${k}`, at: new Date().toISOString(), message: { id: `torn${k}`, role: 'user', content: 'ü'.repeat(5000), createdAt: new Date().toISOString() } })}\n`,
        );
        appendFileSync(newest, line.subarray(0, 101 + 2 * 1000 + 1));
        sizes.set(newest, statSync(newest).size);
        forced++;
      }
      // What a restart reads: a fresh store over the same folder.
      const store = await HistoryStore.open(convDir, silent);
      const have = new Set<string>();
      let count = 0;
      for (const c of store.list()) {
        const messages = (await store.load(c.id)).messages;
        checkWhole(messages);
        expect(c.messageCount, `the list's count for ${c.id}`).toBe(messages.length);
        for (const m of messages) have.add(`${m.role === 'user' ? 'user' : 'answer'} ${m.content}`);
        count += messages.length;
      }
      const lost = acked.filter((a) => !have.has(a));
      expect(
        lost.map((l) => l.slice(0, 24)),
        `kill ${k}: saved messages lost`,
      ).toEqual([]);
      expect(count).toBeGreaterThanOrEqual(total);
      total = count;
    }
    // After the last kill, the app itself carries on in the newest conversation.
    const engine = await tempEngine({ envText: `OLLAMA_HOST=${ollama.url}\n`, env: { VEGA_DATA_DIR: dir } });
    try {
      const chat = await createChat(engine.rm, () => undefined);
      const newest = chat.service.list()[0]!;
      const before = (await chat.service.get(newest.id)).messages.length;
      await chat.service.send(newest.id, 'after the kills');
      const m = await within(5_000, chat.service.running(newest.id)!.done, 'the answer after the kills');
      expect(m.content).toBe('You said: after the kills');
      expect((await chat.service.get(newest.id)).messages.length).toBe(before + 2);
    } finally {
      await engine.rm.shutdown();
    }
    console.info(
      `[crash-history] seed ${SEED}: ${KILLS} kills, ${total} messages survived, ${acked.length} acknowledged, ${torn} kills left a torn last line by themselves and ${forced} more were written torn; each was repaired`,
    );
    expect(acked.length).toBeGreaterThan(KILLS);
  }, 120_000);
});
