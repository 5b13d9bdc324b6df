import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { request } from 'undici';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { messageRecord, type HeaderRecord } from '../../src-main/chat/records.js';
import { HistoryStore } from '../../src-main/chat/store.js';
import type { ChatMessage } from '../../src-shared/chat.js';
import { VegaError } from '../../src-shared/errors.js';
import { tempEngine, type TempEngine } from '../helpers/engine.js';
import { tempWebHost, type TempWebHost } from '../helpers/web.js';

let engine: TempEngine | undefined;
let web: TempWebHost | undefined;

afterEach(async () => {
  vi.useRealTimers();
  await web?.dispose();
  await engine?.dispose();
  web = engine = undefined;
});

const header = (id: string): HeaderRecord => ({
  type: 'header',
  v: 1,
  id,
  title: `Chat ${id}`,
  model: 'llama3.2',
  provider: 'ollama',
  systemPrompt: '',
  createdAt: new Date().toISOString(),
});
const msg = (id: string, content: string): ChatMessage => ({ id, role: 'user', content, createdAt: new Date().toISOString() });

async function openStore(): Promise<{ store: HistoryStore; dir: string; e: TempEngine }> {
  engine = await tempEngine();
  const dir = path.join(engine.dir, 'conversations');
  return { store: await HistoryStore.open(dir, engine.rm.logger, undefined, engine.rm.storage), dir, e: engine };
}

const fileBytes = (dir: string) =>
  readdirSync(dir)
    .filter((n) => n.endsWith('.jsonl'))
    .reduce((sum, n) => sum + statSync(path.join(dir, n)).size, 0);

async function refusal(p: Promise<unknown>): Promise<VegaError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(VegaError);
  return err as VegaError;
}

/** Swap a conversation's file for something that refuses writes, run `fn`, then put the file back. */
async function whileRefusing(file: string, kind: 'full disk' | 'folder', fn: () => Promise<void>): Promise<void> {
  renameSync(file, `${file}.kept`);
  if (kind === 'full disk') symlinkSync('/dev/full', file);
  else mkdirSync(file);
  try {
    await fn();
  } finally {
    if (kind === 'full disk') unlinkSync(file);
    else rmdirSync(file);
    renameSync(`${file}.kept`, file);
  }
}

describe('storage figures', () => {
  it('move with appends: conversations, messages, bytes on disk, appends, and the timing of list, get, append and fsync', async () => {
    const { store, dir, e } = await openStore();
    expect(e.rm.storage.stats()).toMatchObject({ conversations: 0, messages: 0, appends: 0, historyBytes: 0 });

    // The clock stands still at the start of a second while the store works.
    const second = Math.ceil(Date.now() / 1000) * 1000;
    vi.useFakeTimers({ toFake: ['Date'], now: second });
    await store.create(header('a1'));
    await store.create(header('b2'));
    await store.append('a1', messageRecord(msg('m1', 'one')), messageRecord(msg('m2', 'two')));
    await store.append('a1', messageRecord(msg('m3', 'three')));
    await store.append('b2', messageRecord(msg('m4', 'four')));
    store.list();
    await store.load('a1');

    const s = e.rm.storage.stats();
    expect(s).toMatchObject({
      conversations: 2,
      messages: 4,
      appends: 5,
      failedWrites: 0,
      tornTailsRepaired: 0,
      status: 'ok',
      problem: null,
    });
    expect(s.historyBytes).toBe(fileBytes(dir));
    expect([s.ops.list.count, s.ops.get.count, s.ops.append.count, s.ops.fsync.count]).toEqual([1, 1, 5, 5]);
    // An append includes its fsync.
    expect(s.ops.append.totalMs.p99).toBeGreaterThanOrEqual(s.ops.fsync.totalMs.p50);
    // The clock closes the window, ticking or not: within its second nothing is
    // closed yet; the next second shows its operations, the one after none.
    expect(e.rm.snapshot().storage.ops.append.windowCount).toBe(0);
    vi.setSystemTime(second + 1000);
    expect(e.rm.snapshot().storage.ops.append.windowCount).toBe(5);
    vi.setSystemTime(second + 2000);
    expect(e.rm.snapshot().storage.ops.append.windowCount).toBe(0);
  });

  it('a torn last line (a crash mid-write) is cut at start and counted; every complete line stays', async () => {
    const first = await openStore();
    await first.store.create(header('t1'));
    await first.store.append('t1', messageRecord(msg('m1', 'kept')));
    await first.store.flush();
    const file = path.join(first.dir, 't1.jsonl');
    const whole = statSync(file).size;
    appendFileSync(file, '{"type":"message","id":"m2","at":"2026-01-01T00:00:00Z","message":{"id":"m2","role":"user","content":"cut sh');

    const store = await HistoryStore.open(first.dir, first.e.rm.logger, undefined, first.e.rm.storage);
    expect(statSync(file).size).toBe(whole);
    expect(first.e.rm.storage.stats().tornTailsRepaired).toBe(1);
    expect((await store.load('t1')).messages.map((m) => m.content)).toEqual(['kept']);
  });

  it.skipIf(!existsSync('/dev/full'))(
    'a full disk (a real ENOSPC, from /dev/full) refuses the write as DISK_FULL; nothing saved before is lost; health says so, with the fix',
    async () => {
      const { store, dir, e } = await openStore();
      await store.create(header('f1'));
      await store.append('f1', messageRecord(msg('m1', 'saved before')));
      const file = path.join(dir, 'f1.jsonl');

      await whileRefusing(file, 'full disk', async () => {
        const err = await refusal(store.append('f1', messageRecord(msg('m2', 'refused'))));
        expect(err.code).toBe('DISK_FULL');
        expect(err.message).toMatch(
          /disk holding Vega's data is full \(ENOSPC\)\. The last change was not saved; everything saved before it is intact\. Free some space/,
        );
        const health = e.rm.health();
        expect(health.status).toBe('degraded');
        expect(health.checks.storage).toBe(false);
        expect(health.problems).toEqual([
          { check: 'storage', message: expect.stringMatching(/full/), fix: expect.stringContaining(e.rm.dataDir) },
        ]);
        expect(e.rm.storage.stats()).toMatchObject({ failedWrites: 1, status: 'degraded', appends: 2 });
      });

      // The disk has room again: the next write goes after the last good line, and health recovers.
      expect((await store.load('f1')).messages.map((m) => m.content)).toEqual(['saved before']);
      await store.append('f1', messageRecord(msg('m3', 'after')));
      expect(e.rm.health().status).toBe('healthy');
      const reread = await HistoryStore.open(dir, e.rm.logger);
      expect((await reread.load('f1')).messages.map((m) => m.content)).toEqual(['saved before', 'after']);
      for (const line of readFileSync(file, 'utf8').trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
    },
  );

  it('a folder where the file should be (EISDIR) refuses the write as STORAGE_FAILED; a refused new conversation leaves nothing behind', async () => {
    const { store, dir, e } = await openStore();
    await store.create(header('d1'));
    await store.append('d1', messageRecord(msg('m1', 'saved before')));
    const file = path.join(dir, 'd1.jsonl');
    await whileRefusing(file, 'folder', async () => {
      const err = await refusal(store.append('d1', messageRecord(msg('m2', 'refused'))));
      expect(err.code).toBe('STORAGE_FAILED');
      expect(err.message).toMatch(/\(EISDIR\)\. The last change was not saved; everything saved before it is intact\./);
    });
    expect(e.rm.storage.stats().failedWrites).toBe(1);
    expect((await (await HistoryStore.open(dir, e.rm.logger)).load('d1')).messages.map((m) => m.content)).toEqual(['saved before']);

    // A new conversation whose file cannot be made: typed, and not half-made on disk.
    mkdirSync(path.join(dir, 'n1.jsonl', 'x'), { recursive: true });
    expect((await refusal(store.create(header('n1')))).code).toBe('STORAGE_FAILED');
    expect(store.has('n1')).toBe(false);
  });
});

describe('storage over the web host', () => {
  async function get(p: string): Promise<any> {
    const res = await request(`${web!.host.url}${p}`, { headers: { 'x-api-key': web!.key } });
    expect(res.statusCode).toBe(200);
    return res.body.json();
  }

  it('GET /admin/database/stats (snake_case) is the `storage` object of /admin/resources/stats; logs and diagnostics are measured', async () => {
    web = await tempWebHost();
    const conv = await web.app.chat.service.create({ title: 'measured' });
    await web.app.chat.service.update({ conversationId: conv.id, title: 'renamed' });
    writeFileSync(path.join(web.app.rm.diagnosticsDir, 'report.json'), 'x'.repeat(1234));

    const db = await get('/admin/database/stats');
    expect(db).toMatchObject({
      status: 'ok',
      problem: null,
      fix: null,
      conversations: 1,
      messages: 0,
      appends: 2,
      failed_writes: 0,
      torn_tails_repaired: 0,
      last_write_error: null,
    });
    expect(db.bytes.diagnostics).toBe(1234);
    expect(db.bytes.logs).toBeGreaterThan(0);
    expect(db.disk.free_bytes).toBeGreaterThan(0);
    expect(db.disk.low_threshold_bytes).toBe(500 * 1024 * 1024);
    expect(Object.keys(db.operations)).toEqual(['list', 'get', 'append', 'fsync']);
    expect(db.operations.append).toMatchObject({
      count: 2,
      latency_ms: { p50: expect.any(Number), p95: expect.any(Number), p99: expect.any(Number) },
    });
    expect(typeof db.timestamp).toBe('string');

    const { timestamp: _t, ...storage } = db;
    const stats = await get('/admin/resources/stats');
    expect(Object.keys(stats.storage)).toEqual(Object.keys(storage));
    expect(stats.storage.appends).toBe(storage.appends);
  });

  it('free space under VEGA_DISK_LOW_MB turns health degraded, naming the threshold and the fix', async () => {
    // 10 TB: more than this disk has free.
    web = await tempWebHost('VEGA_DISK_LOW_MB=10000000\n');
    const health = await get('/admin/resources/health');
    expect(health.status).toBe('degraded');
    expect(health.checks).toMatchObject({ healthy: false, storage: false });
    expect(health.problems).toEqual([
      {
        check: 'storage',
        message: expect.stringMatching(/MB are free on the disk holding .* \(VEGA_DISK_LOW_MB is 10000000\)/),
        fix: expect.stringMatching(/Free some space/),
      },
    ]);
    const db = await get('/admin/database/stats');
    expect(db.status).toBe('degraded');
    expect(db.fix).toBe(health.problems[0].fix);
  });

  it.skipIf(!existsSync('/dev/full'))(
    'a message refused for a full disk reaches the person as DISK_FULL (POST /chat: 507); the conversation keeps what it had',
    async () => {
      web = await tempWebHost();
      const { service } = web.app.chat;
      const conv = await service.create({ title: 'full' });
      await service.update({ conversationId: conv.id, title: 'still here' });
      const file = path.join(web.app.rm.dataDir, 'conversations', `${conv.id}.jsonl`);
      await whileRefusing(file, 'full disk', async () => expect((await refusal(service.send(conv.id, 'hello'))).code).toBe('DISK_FULL'));
      await service.update({ conversationId: conv.id, title: 'still here' });
      await whileRefusing(file, 'full disk', async () => {
        const res = await request(`${web!.host.url}/chat`, {
          method: 'POST',
          headers: { 'x-api-key': web!.key, 'content-type': 'application/json' },
          body: JSON.stringify({ prompt: 'hello again', conversation_id: conv.id }),
        });
        expect(res.statusCode).toBe(507);
        expect(((await res.body.json()) as any).error.code).toBe('DISK_FULL');
      });
      expect(await service.get(conv.id)).toMatchObject({ title: 'still here', messages: [] });
    },
  );
});
