import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FIRST_TOKEN, LAST_TOKEN, markdownReplyOf } from '../../bench/lib/window-reply.js';
import { LONG_TITLE, seedHistory } from '../../bench/lib/window-seed.js';
import { ChatService } from '../../src-main/chat/service.js';
import { HistoryStore } from '../../src-main/chat/store.js';
import { tokenize } from '../helpers/ollama-standin.js';

// The window bench's fixtures: a history the real store reads back whole, and answers the stand-in cuts into exactly n tokens.

let dir: string;
let warnings: string[];
const logger = () =>
  pino(
    { level: 'warn' },
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        warnings.push(String(chunk));
        cb();
      },
    }),
  );

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
