import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { messageRecord, type HeaderRecord } from '../../src-main/chat/records.js';
import { HistoryStore } from '../../src-main/chat/store.js';
import type { ChatMessage } from '../../src-shared/chat.js';
import { chatHarness, type ChatHarness } from './harness.js';
import { warnLogger } from '../helpers/warn-logger.js';

let dir: string;
let warnings: string[];
let h: ChatHarness | undefined;

const logger = () => warnLogger(warnings);

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'vega-store-'));
  warnings = [];
});

afterEach(async () => {
  await h?.dispose();
  h = undefined;
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

const header = (id: string, title = `Chat ${id}`): HeaderRecord => ({
  type: 'header',
  v: 1,
  id,
  title,
  model: 'llama3.2',
  provider: 'ollama',
  systemPrompt: '',
  createdAt: new Date().toISOString(),
});
const msg = (id: string, content: string, role: ChatMessage['role'] = 'user'): ChatMessage => ({
  id,
  role,
  content,
  createdAt: new Date().toISOString(),
});
const fileOf = (id: string) => path.join(dir, `${id}.jsonl`);

describe('HistoryStore', () => {
  it('a read and an append that race on a cold conversation share one load (nothing is lost)', async () => {
    const s1 = await HistoryStore.open(dir, logger());
    await s1.create(header('r1'));
    await s1.append('r1', messageRecord(msg('m1', 'before the restart')));
    await s1.flush();
    const s2 = await HistoryStore.open(dir, logger());
    // As after a restart, when the window re-reads the open chat while a message is sent.
    const [read] = await Promise.all([s2.load('r1'), s2.append('r1', messageRecord(msg('m2', 'sent while reconnecting')))]);
    const after = await s2.load('r1');
    expect(after).toBe(read);
    expect(after.messages.map((m) => m.content)).toEqual(['before the restart', 'sent while reconnecting']);
  });

  it('writes one JSONL file per conversation and reads it back after a reopen', async () => {
    const s1 = await HistoryStore.open(dir, logger());
    await s1.create(header('a1', 'First'));
    await s1.append('a1', messageRecord(msg('m1', 'hello')), messageRecord(msg('m2', 'hi back', 'assistant')));
    await s1.create(header('b2', 'Second'));
    await s1.append('b2', messageRecord(msg('m3', 'other')));
    await s1.flush();
    const lines = readFileSync(fileOf('a1'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string });
    expect(lines.map((l) => l.type)).toEqual(['header', 'message', 'message']);

    const s2 = await HistoryStore.open(dir, logger());
    expect(
      s2
        .list()
        .map((c) => [c.id, c.title, c.messageCount])
        .sort(),
    ).toEqual([
      ['a1', 'First', 2],
      ['b2', 'Second', 1],
    ]);
    expect((await s2.load('a1')).messages.map((m) => m.content)).toEqual(['hello', 'hi back']);
    expect(s2.list('sec').map((c) => c.id)).toEqual(['b2']);
    expect(s2.list('SEC').map((c) => c.id)).toEqual(['b2']);
  });

  it('a torn last line (crash mid-write) is skipped with a warning; earlier messages stay; the next append is clean', async () => {
    const s1 = await HistoryStore.open(dir, logger());
    await s1.create(header('t1'));
    await s1.append('t1', messageRecord(msg('m1', 'kept one')));
    await s1.append('t1', messageRecord(msg('m2', 'kept two')));
    await s1.flush();
    appendFileSync(
      fileOf('t1'),
      '{"type":"message","id":"m3","at":"2026-01-01T00:00:00Z","message":{"id":"m3","role":"user","content":"tor',
    );

    const s2 = await HistoryStore.open(dir, logger());
    expect(s2.list()[0]!.messageCount).toBe(2);
    const loaded = await s2.load('t1');
    expect(loaded.messages.map((m) => m.content)).toEqual(['kept one', 'kept two']);
    expect(warnings.join('')).toMatch(/torn last line/);
    await s2.append('t1', messageRecord(msg('m4', 'after the crash')));
    // The torn bytes were cut, so every line of the file parses.
    for (const line of readFileSync(fileOf('t1'), 'utf8').trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
    await s2.flush();
    const s3 = await HistoryStore.open(dir, logger());
    expect((await s3.load('t1')).messages.map((m) => m.content)).toEqual(['kept one', 'kept two', 'after the crash']);
  });

  it('a damaged line in the middle is skipped, the rest is read', async () => {
    const s1 = await HistoryStore.open(dir, logger());
    await s1.create(header('d1'));
    await s1.append('d1', messageRecord(msg('m1', 'one')));
    appendFileSync(fileOf('d1'), 'not json at all\n');
    await s1.append('d1', messageRecord(msg('m2', 'two')));
    const s2 = await HistoryStore.open(dir, logger());
    expect((await s2.load('d1')).messages.map((m) => m.content)).toEqual(['one', 'two']);
    expect(warnings.join('')).toMatch(/damaged line/);
  });

  it('the list comes from the index on a warm start; a file changed behind it is rescanned without parsing messages', async () => {
    const s1 = await HistoryStore.open(dir, logger());
    for (const id of ['c1', 'c2', 'c3']) {
      await s1.create(header(id));
      for (let i = 0; i < 50; i++) await s1.append(id, messageRecord(msg(`${id}m${i}`, `text ${i}`)));
    }
    await s1.flush();
    expect(existsSync(path.join(dir, 'index.json'))).toBe(true);

    const warm = await HistoryStore.open(dir, logger());
    expect(warm.scannedAtStart).toBe(0);
    expect(warm.list().map((c) => c.messageCount)).toEqual([50, 50, 50]);

    // Another writer (or a crash before the index was saved) changed c2.
    appendFileSync(fileOf('c2'), JSON.stringify({ type: 'meta', at: '2030-01-01T00:00:00.000Z', title: 'Renamed outside' }) + '\n');
    appendFileSync(fileOf('c2'), JSON.stringify({ type: 'truncate', at: '2030-01-01T00:00:01.000Z', afterMessageId: 'c2m9' }) + '\n');
    const parse = vi.spyOn(JSON, 'parse');
    const cold = await HistoryStore.open(dir, logger());
    const parsed = parse.mock.calls.length;
    parse.mockRestore();
    expect(cold.scannedAtStart).toBe(1);
    // index.json, c2's header, its meta and its truncate: never one of the 50 messages.
    expect(parsed).toBeLessThanOrEqual(4);
    const c2 = cold.list().find((c) => c.id === 'c2')!;
    expect(c2).toMatchObject({ title: 'Renamed outside', messageCount: 10, updatedAt: '2030-01-01T00:00:01.000Z' });
    expect(cold.list()[0]!.id).toBe('c2');
    expect((await cold.load('c2')).messages).toHaveLength(10);
  });

  it('a damaged index is only a cache: the list is rebuilt from the files', async () => {
    const s1 = await HistoryStore.open(dir, logger());
    await s1.create(header('x1', 'Survivor'));
    await s1.flush();
    writeFileSync(path.join(dir, 'index.json'), '{ broken');
    const s2 = await HistoryStore.open(dir, logger());
    expect(s2.list().map((c) => c.title)).toEqual(['Survivor']);
  });

  it('rename, settings and delete', async () => {
    const s1 = await HistoryStore.open(dir, logger());
    await s1.create(header('r1', 'Old'));
    await s1.append('r1', { type: 'meta', at: new Date().toISOString(), title: 'New', model: 'qwen2.5', systemPrompt: 'Be terse.' });
    expect(s1.summary('r1')).toMatchObject({ title: 'New', model: 'qwen2.5' });
    expect((await s1.load('r1')).conversation().systemPrompt).toBe('Be terse.');
    expect(await s1.remove('r1')).toBe(true);
    expect(existsSync(fileOf('r1'))).toBe(false);
    expect(await s1.remove('r1')).toBe(false);
    await expect(s1.load('r1')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(s1.append('r1', messageRecord(msg('z', 'z')))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(existsSync(fileOf('r1'))).toBe(false);
  });

  it('kill -9 in the middle of appending loses no message whose append had completed', async () => {
    const script = fileURLToPath(new URL('./fixtures/append-loop.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script, dir, 'k1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let acked = -1;
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += String(d)));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`child did not append 40 messages in time: ${stderr}`)), 20_000);
      child.stdout.on('data', (d: Buffer) => {
        const last = String(d).trim().split('\n').at(-1);
        if (last) acked = Number(last);
        if (acked >= 40) {
          clearTimeout(timer);
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', () => {
        clearTimeout(timer);
        if (acked < 40) reject(new Error(`child exited early: ${stderr}`));
      });
    });
    expect(await exited).toBe('SIGKILL');

    const store = await HistoryStore.open(dir, logger());
    const messages = [...(await store.load('k1')).messages];
    // Every acknowledged append is there (and at most the one in flight besides).
    expect(messages.length).toBeGreaterThanOrEqual(acked + 1);
    messages.forEach((m, i) => {
      expect(m.id).toBe(`m${i}`);
      expect(m.content.startsWith(`message ${i} `) && m.content.endsWith(' end')).toBe(true);
    });
    await store.append('k1', messageRecord(msg('after', 'after the kill')));
    await store.flush();
    const again = await HistoryStore.open(dir, logger());
    expect((await again.load('k1')).messages.at(-1)?.content).toBe('after the kill');
    expect(again.list()[0]!.messageCount).toBe(messages.length + 1);
  }, 30_000);
});

describe('export', () => {
  it('JSON export carries the whole conversation, exactly as stored', async () => {
    h = await chatHarness();
    const { service } = h.chat;
    const c = await service.create({ title: 'Round trip', systemPrompt: 'You are Vega.' });
    await service.send(c.id, 'Grüße 😀 and `code`');
    await h.done(c.id);
    const original = await service.get(c.id);
    const json = await service.export(c.id, 'json');
    expect(json.filename).toMatch(/^round-trip-\d{4}-\d{2}-\d{2}\.json$/);
    expect(JSON.parse(json.content)).toEqual({ format: 'vega-conversation', v: 1, conversation: original });
  });

  it('Markdown export has the title, the system prompt and every message in order', async () => {
    h = await chatHarness();
    const { service } = h.chat;
    const c = await service.create({ title: 'Notes', systemPrompt: 'Be kind.' });
    await service.send(c.id, 'first question');
    await h.done(c.id);
    const md = (await service.export(c.id, 'markdown')).content;
    expect(md.startsWith('# Notes\n')).toBe(true);
    const order = ['## System', 'Be kind.', '## You', 'first question', '## Assistant', 'You said: first question'].map((s) =>
      md.indexOf(s),
    );
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });
});
