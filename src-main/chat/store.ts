import { open, readFile, readdir, rename, stat, truncate, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { ChatMessage, ConversationSummary } from '../../src-shared/chat.js';
import { VegaError } from '../../src-shared/errors.js';
import type { Logger } from '../engine/logger.js';
import { PRIVATE_FILE_MODE, privateDir } from '../engine/private-files.js';
import { writeProblem, type StorageInventory, type StorageReporter } from '../engine/storage-metrics.js';
import { ID_PATTERN } from './ids.js';
import { ConversationState, type ChangeRecord, type HeaderRecord, type StoreRecord } from './records.js';

interface FileInfo {
  size: number;
  mtimeMs: number;
}

interface IndexEntry extends FileInfo {
  readonly summary: ConversationSummary;
}

interface Loaded {
  readonly state: ConversationState;
  /** Bytes up to the last complete line; anything after is a torn write to cut before appending. */
  validBytes: number;
  size: number;
}

const INDEX_FILE = 'index.json';
// 2: summaries without the system prompt (an index of version 1 is rebuilt once, from the files).
const INDEX_VERSION = 2;
const LOADED_LIMIT = 32;
const INDEX_DELAY_MS = 300;
// A message record starts `{"type":"message","id":"…","at":"…"`: a listing reads these without parsing the message.
const MESSAGE_PREFIX = /^\{"type":"message","id":"([A-Za-z0-9_-]{1,64})","at":"([^"]+)"/;

/**
 * Conversations as one append-only JSONL file each. The list lives in memory,
 * built at start from a small index keyed by each file's size and mtime;
 * only a file that changed behind the index's back is scanned again.
 */
export class HistoryStore {
  readonly dir: string;
  readonly #logger: Logger;
  readonly #summaries = new Map<string, ConversationSummary>();
  readonly #files = new Map<string, FileInfo>();
  readonly #loaded = new Map<string, Loaded>();
  readonly #reading = new Map<string, Promise<Loaded>>();
  readonly #queues = new Map<string, Promise<unknown>>();
  #indexTimer: NodeJS.Timeout | undefined;
  #indexWrite: Promise<void> = Promise.resolve();
  /** Files scanned at start because the index did not vouch for them (tests check a warm start scans none). */
  scannedAtStart = 0;

  readonly #redact: (line: string) => string;
  readonly #report: StorageReporter | undefined;

  private constructor(dir: string, logger: Logger, redact: (line: string) => string, report: StorageReporter | undefined) {
    this.dir = dir;
    this.#logger = logger;
    this.#redact = redact;
    this.#report = report;
  }

  /**
   * `redact` cleans each line before it is written: a server's error may
   * quote a key. `report` receives the store's figures (the engine's storage metrics).
   */
  static async open(
    dir: string,
    logger: Logger,
    redact: (line: string) => string = (l) => l,
    report?: StorageReporter,
  ): Promise<HistoryStore> {
    const store = new HistoryStore(dir, logger, redact, report);
    await privateDir(dir, { contents: true });
    await store.#rebuildIndex();
    report?.inventory(() => store.#inventory());
    return store;
  }

  list(query?: string): ConversationSummary[] {
    const started = performance.now();
    const q = query?.trim().toLowerCase();
    const all = [...this.#summaries.values()].filter((s) => !q || s.title.toLowerCase().includes(q));
    const sorted = all.sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0));
    this.#report?.record('list', performance.now() - started);
    return sorted;
  }

  has(id: string): boolean {
    return this.#summaries.has(id);
  }

  summary(id: string): ConversationSummary {
    const s = this.#summaries.get(id);
    if (!s) throw notFound();
    return s;
  }

  async create(header: HeaderRecord): Promise<ConversationState> {
    if (!ID_PATTERN.test(header.id) || this.#summaries.has(header.id))
      throw new VegaError('BAD_REQUEST', 'That conversation id is taken or invalid.');
    return this.#serial(header.id, async () => {
      const file = this.#file(header.id);
      const line = JSON.stringify(header) + '\n';
      const st = await this.#write(async () => {
        const fh = await open(file, 'wx', PRIVATE_FILE_MODE);
        let written = false;
        try {
          await fh.writeFile(line);
          await this.#sync(fh);
          const done = await fh.stat();
          written = true;
          return done;
        } finally {
          await fh.close();
          // A conversation that could not be written whole is not left behind half-made.
          if (!written) await unlink(file).catch(() => undefined);
        }
      });
      await syncDir(this.dir);
      const state = new ConversationState(header);
      this.#remember(header.id, { state, validBytes: st.size, size: st.size });
      this.#summaries.set(header.id, state.summary());
      this.#files.set(header.id, { size: st.size, mtimeMs: st.mtimeMs });
      this.#scheduleIndex();
      return state;
    });
  }

  /** The whole conversation, replayed from its file (cached for recent ones). */
  async load(id: string): Promise<ConversationState> {
    const started = performance.now();
    const entry = await this.#loadEntry(id);
    this.#report?.record('get', performance.now() - started);
    return entry.state;
  }

  /** Append records as one write, synced to disk before this resolves. */
  async append(id: string, ...records: ChangeRecord[]): Promise<ConversationState> {
    return this.#serial(id, async () => {
      if (!this.#summaries.has(id)) throw notFound();
      const entry = await this.#loadEntry(id);
      const file = this.#file(id);
      const text = this.#redact(records.map((r) => JSON.stringify(r) + '\n').join(''));
      const st = await this.#write(async () => {
        if (entry.size !== entry.validBytes) {
          // A torn line read from disk, or whatever a failed write left behind: cut before anything is added.
          const torn = Number.isFinite(entry.size);
          if (torn)
            this.#logger.warn(
              { conversationId: id, cut: entry.size - entry.validBytes },
              'History: cutting a torn last line before appending',
            );
          await truncate(file, entry.validBytes);
          entry.size = entry.validBytes;
          if (torn) this.#report?.tornTailRepaired();
        }
        const fh = await open(file, 'a', PRIVATE_FILE_MODE);
        try {
          // Until the write is known complete, the tail is suspect: the next append cuts back to here.
          entry.size = Number.POSITIVE_INFINITY;
          await fh.writeFile(text);
          await this.#sync(fh);
          const done = await fh.stat();
          entry.size = entry.validBytes = done.size;
          return done;
        } finally {
          await fh.close();
        }
      });
      // Summary and file info change together, so the index never pairs a new size with an old summary.
      for (const r of records) entry.state.apply(r);
      this.#summaries.set(id, entry.state.summary());
      this.#files.set(id, { size: st.size, mtimeMs: st.mtimeMs });
      this.#scheduleIndex();
      return entry.state;
    });
  }

  async remove(id: string): Promise<boolean> {
    if (!this.#summaries.has(id)) return false;
    return this.#serial(id, async () => {
      this.#summaries.delete(id);
      this.#files.delete(id);
      this.#loaded.delete(id);
      await unlink(this.#file(id)).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
      this.#scheduleIndex();
      return true;
    });
  }

  /** Write the index now (shutdown). */
  async flush(): Promise<void> {
    clearTimeout(this.#indexTimer);
    this.#indexTimer = undefined;
    await Promise.allSettled([...this.#queues.values()]);
    await this.#writeIndex();
  }

  #file(id: string): string {
    return path.join(this.dir, `${id}.jsonl`);
  }

  /**
   * One write to disk, timed and counted. A refused write (a full disk, a
   * read-only folder) becomes the person's typed error; what was saved
   * before is untouched, since records only ever go after the last good line.
   */
  async #write(work: () => Promise<FileInfo>): Promise<FileInfo> {
    const started = performance.now();
    let st: FileInfo;
    try {
      st = await work();
    } catch (err) {
      const problem = this.#report?.writeFailed(err) ?? writeProblem(err, this.dir);
      this.#logger.error({ err: err instanceof Error ? err.message : String(err), code: problem.code }, `History: ${problem.message}`);
      throw new VegaError(problem.code, `${problem.message} ${problem.fix}`, { cause: err });
    }
    this.#report?.record('append', performance.now() - started);
    this.#report?.appended();
    return st;
  }

  async #sync(fh: FileHandle): Promise<void> {
    const started = performance.now();
    await fh.datasync();
    this.#report?.record('fsync', performance.now() - started);
  }

  #inventory(): StorageInventory {
    let messages = 0;
    let historyBytes = 0;
    for (const s of this.#summaries.values()) messages += s.messageCount;
    for (const f of this.#files.values()) if (Number.isFinite(f.size)) historyBytes += f.size;
    return { conversations: this.#summaries.size, messages, historyBytes };
  }

  /** One operation at a time per file, so records never interleave. */
  #serial<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.#queues.get(id) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.#queues.set(id, settled);
    void settled.then(() => {
      if (this.#queues.get(id) === settled) this.#queues.delete(id);
    });
    return next;
  }

  #remember(id: string, entry: Loaded): void {
    this.#loaded.delete(id);
    this.#loaded.set(id, entry);
    while (this.#loaded.size > LOADED_LIMIT) this.#loaded.delete(this.#loaded.keys().next().value!);
  }

  /**
   * The conversation's state, read from disk once: callers that arrive while
   * it is being read share that read, so an append never lands in a copy that
   * a second, concurrent read is about to replace.
   */
  #loadEntry(id: string): Promise<Loaded> {
    if (!this.#summaries.has(id)) return Promise.reject(notFound());
    const cached = this.#loaded.get(id);
    if (cached) {
      this.#remember(id, cached);
      return Promise.resolve(cached);
    }
    let reading = this.#reading.get(id);
    if (!reading) {
      reading = this.#readEntry(id).finally(() => this.#reading.delete(id));
      this.#reading.set(id, reading);
    }
    return reading;
  }

  async #readEntry(id: string): Promise<Loaded> {
    const buf = await readFile(this.#file(id)).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') throw notFound();
      throw err;
    });
    const validBytes = buf.lastIndexOf(0x0a) + 1;
    if (validBytes < buf.length) {
      this.#logger.warn(
        { conversationId: id, bytes: buf.length - validBytes },
        'History: skipping a torn last line (an interrupted write)',
      );
    }
    const state = replay(id, buf.subarray(0, validBytes).toString('utf8'), (line, lineNo) => {
      try {
        return JSON.parse(line) as StoreRecord;
      } catch {
        this.#logger.warn({ conversationId: id, line: lineNo }, 'History: skipping a damaged line');
        return undefined;
      }
    });
    const entry: Loaded = { state, validBytes, size: buf.length };
    this.#remember(id, entry);
    this.#summaries.set(id, state.summary());
    return entry;
  }

  async #rebuildIndex(): Promise<void> {
    const index = await this.#readIndex();
    const names = (await readdir(this.dir)).filter((n) => n.endsWith('.jsonl') && ID_PATTERN.test(n.slice(0, -6)));
    let changed = Object.keys(index).length !== names.length;
    await Promise.all(
      names.map(async (name) => {
        const id = name.slice(0, -6);
        try {
          let st: FileInfo = await stat(this.#file(id));
          const known = index[id];
          if (known && known.size === st.size && known.mtimeMs === st.mtimeMs && known.summary.id === id) {
            this.#summaries.set(id, known.summary);
          } else {
            changed = true;
            this.scannedAtStart++;
            const scan = await this.#scanSummary(id);
            this.#summaries.set(id, scan.summary);
            if (scan.validBytes < st.size) st = await this.#cutTornTail(id, scan.validBytes, st.size);
          }
          this.#files.set(id, { size: st.size, mtimeMs: st.mtimeMs });
        } catch (err) {
          this.#logger.warn(
            { file: name, err: err instanceof Error ? err.message : String(err) },
            'History: a conversation file cannot be read; it is left out of the list',
          );
        }
      }),
    );
    if (changed) await this.#writeIndex();
  }

  /**
   * A crash mid-write left part of a line: cut it now, before anything reads
   * or appends. Only a file the index did not vouch for is looked at, and
   * only the bytes after its last complete line go.
   */
  async #cutTornTail(id: string, validBytes: number, size: number): Promise<FileInfo> {
    const file = this.#file(id);
    try {
      await truncate(file, validBytes);
    } catch (err) {
      // Left for the append, which cuts before it writes (the torn bytes are never read as a record).
      this.#logger.warn(
        { conversationId: id, err: err instanceof Error ? err.message : String(err) },
        'History: could not cut a torn last line at start',
      );
      return stat(file);
    }
    this.#logger.warn(
      { conversationId: id, cut: size - validBytes },
      'History: cut a torn last line at start (an interrupted write); every complete line is kept',
    );
    this.#report?.tornTailRepaired();
    return stat(file);
  }

  /** Header, changes and message ids: enough for the list, without parsing any message. */
  async #scanSummary(id: string): Promise<{ summary: ConversationSummary; validBytes: number }> {
    const buf = await readFile(this.#file(id));
    const validBytes = buf.lastIndexOf(0x0a) + 1;
    const state = replay(id, buf.subarray(0, validBytes).toString('utf8'), (line, _lineNo, started) => {
      const m = started && MESSAGE_PREFIX.exec(line);
      if (m) return { type: 'message', id: m[1]!, at: m[2]!, message: { id: m[1]! } as ChatMessage };
      try {
        return JSON.parse(line) as StoreRecord;
      } catch {
        return undefined;
      }
    });
    return { summary: state.summary(), validBytes };
  }

  async #readIndex(): Promise<Record<string, IndexEntry>> {
    try {
      const v = JSON.parse(await readFile(path.join(this.dir, INDEX_FILE), 'utf8')) as { v?: number; files?: Record<string, IndexEntry> };
      return v.v === INDEX_VERSION && v.files && typeof v.files === 'object' ? v.files : {};
    } catch {
      return {}; // missing or damaged: it is only a cache, rebuilt from the files
    }
  }

  #scheduleIndex(): void {
    if (this.#indexTimer) return;
    this.#indexTimer = setTimeout(() => {
      this.#indexTimer = undefined;
      void this.#writeIndex();
    }, INDEX_DELAY_MS);
    this.#indexTimer.unref();
  }

  #writeIndex(): Promise<void> {
    this.#indexWrite = this.#indexWrite.then(async () => {
      const files: Record<string, IndexEntry> = {};
      for (const [id, summary] of this.#summaries) {
        const f = this.#files.get(id);
        if (f && Number.isFinite(f.size)) files[id] = { size: f.size, mtimeMs: f.mtimeMs, summary };
      }
      const target = path.join(this.dir, INDEX_FILE);
      const tmp = `${target}.${process.pid}.tmp`;
      try {
        await writeFile(tmp, JSON.stringify({ v: INDEX_VERSION, files }), { mode: PRIVATE_FILE_MODE });
        await rename(tmp, target);
      } catch (err) {
        this.#logger.warn(
          { err: err instanceof Error ? err.message : String(err) },
          'History: could not write the index (it is rebuilt at next start)',
        );
      }
    });
    return this.#indexWrite;
  }
}

function notFound(): VegaError {
  return new VegaError('NOT_FOUND', 'That conversation does not exist (it may have been deleted).');
}

function damaged(id: string): VegaError {
  return new VegaError('INTERNAL', `The history file of conversation ${id} has no header; it cannot be read.`);
}

/** Make a new file's directory entry durable too; not possible on every platform, and harmless to skip there. */
async function syncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // Windows cannot open a directory for syncing.
  }
}

/**
 * Replay a file's complete lines into its state: the header first, then each
 * change in order. `parse` turns a line into a record, or undefined to skip it.
 */
function replay(
  id: string,
  text: string,
  parse: (line: string, lineNo: number, started: boolean) => StoreRecord | undefined,
): ConversationState {
  let state: ConversationState | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line) continue;
    const r = parse(line, i + 1, state !== undefined);
    if (!r) continue;
    if (!state) {
      if (r.type !== 'header') throw damaged(id);
      state = new ConversationState({ ...r, id });
    } else if (r.type !== 'header') {
      state.apply(r);
    }
  }
  if (!state) throw damaged(id);
  return state;
}
