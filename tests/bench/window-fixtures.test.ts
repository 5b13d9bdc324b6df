import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FIRST_TOKEN, LAST_TOKEN, markdownReplyOf } from '../../bench/lib/window-reply.js';
import { LONG_TITLE, seedHistory } from '../../bench/lib/window-seed.js';
import { ChatService } from '../../src-main/chat/service.js';
import { HistoryStore } from '../../src-main/chat/store.js';
import { startOllamaStandIn, tokenize } from '../helpers/ollama-standin.js';
import { warnLogger } from '../helpers/warn-logger.js';

// The window bench's fixtures: a history the real store reads back whole, and answers the stand-in cuts into exactly n tokens.

let dir: string;
let warnings: string[];
const logger = () => warnLogger(warnings);

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'vega-bench-seed-'));
  warnings = [];
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('window bench: the seeded history', () => {
  it('is read by the history store as written: every conversation listed, the long one first and whole', async () => {
    const seeded = seedHistory(dir, { short: 40, shortMessages: 4, longMessages: 300 });
    const store = await HistoryStore.open(ChatService.dirFor(dir), logger());
    const list = store.list();
    expect(list).toHaveLength(41);
    expect(list[0]).toMatchObject({ title: LONG_TITLE, messageCount: 300 });
    expect(list.slice(1).every((c) => c.messageCount === 4)).toBe(true);
    const long = await store.load(list[0]!.id);
    expect(long.messages.at(-1)?.id).toBe(seeded.newestMessageId);
    expect(long.messages.map((m) => m.role).slice(0, 2)).toEqual(['user', 'assistant']);
    expect(warnings).toEqual([]);
  });
});

describe('window bench: the Markdown answer', () => {
  it.each([2, 5, 300, 2_000])('is cut by the stand-in into exactly %i tokens, first and last marked', (n) => {
    const tokens = tokenize(markdownReplyOf(n));
    expect(tokens).toHaveLength(n);
    expect(tokens[0]).toBe(FIRST_TOKEN);
    expect(tokens.at(-1)?.trim()).toBe(LAST_TOKEN);
    expect(tokens.slice(1, -1).some((t) => t.includes(FIRST_TOKEN) || t.includes(LAST_TOKEN))).toBe(false);
  });

  it('holds the blocks a model writes: paragraphs, a list and a closed code fence', () => {
    const text = markdownReplyOf(2_000);
    expect(text).toMatch(/\n\n- \*\*Retries\*\*/);
    expect(text).toMatch(/```ts\n[\s\S]+?\n```/);
  });
});

/** Arrival times (ms) of each NDJSON token line of a streamed /api/chat answer, read over a real socket. */
function tokenArrivals(url: string): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      const at: number[] = [];
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        buf += d;
        for (let i = buf.indexOf('\n'); i !== -1; i = buf.indexOf('\n')) {
          if (buf.slice(0, i).includes('"done":false')) at.push(performance.now());
          buf = buf.slice(i + 1);
        }
      });
      res.on('end', () => resolve(at));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(JSON.stringify({ model: 'llama3.2', messages: [{ role: 'user', content: 'go' }] }));
  });
}

describe('the Ollama stand-in paced by the clock', () => {
  it('spreads an answer over (n - 1) / rate seconds, however fast it could write', async () => {
    const standin = await startOllamaStandIn({ reply: () => markdownReplyOf(21), tokensPerSecond: 100 });
    try {
      const at = await tokenArrivals(standin.url);
      expect(at).toHaveLength(21);
      // 20 intervals of 10 ms; unpaced, the 21 lines arrive within a few ms. Only a lower bound: a busy machine is slower, never faster.
      expect(at.at(-1)! - at[0]!).toBeGreaterThanOrEqual(150);
    } finally {
      await standin.close();
    }
  });
});
