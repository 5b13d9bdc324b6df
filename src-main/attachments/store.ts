import { createHash } from 'node:crypto';
import { readFile, readdir, rm, stat, utimes } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ATTACHMENT_ID, AttachmentRefSchema } from '../../src-shared/attachments.js';
import { VegaError } from '../../src-shared/errors.js';
import { writeFileAtomic } from '../engine/atomic-file.js';
import { privateDir } from '../engine/private-files.js';

/** What is known of a stored file without reading it: a reference's fields but its id (the file's name) and what a message sets. */
export const StoredMeta = AttachmentRefSchema.omit({ id: true, tokens: true, truncatedTo: true }).extend({
  /** Documents: characters of the extracted text, and whether extraction cut it at its bound. */
  chars: z.number().int().nonnegative().optional(),
  cut: z.boolean().optional(),
});
export type StoredMeta = z.infer<typeof StoredMeta>;

const Refs = z.record(ATTACHMENT_ID, z.array(z.string().max(64)));
const REFS_FILE = 'refs.json';
type Suffix = '' | '.txt' | '.thumb' | '.json';

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * `<dataDir>/attachments`: each file under its sha256 (the same bytes are
 * stored once, and no name a person chose ever becomes a path), with its
 * extracted text (`.txt`), the window's thumbnail (`.thumb`) and what it is
 * (`.json`). refs.json says which conversations hold each file, so deleting
 * one removes the files no other holds. Every write is atomic and private.
 */
export class AttachmentStore {
  readonly dir: string;
  #refs: Record<string, string[]> = {};
  /** refs.json is rewritten whole: one write at a time, in order. */
  #writing: Promise<void> = Promise.resolve();

  private constructor(dir: string) {
    this.dir = dir;
  }

  static async open(dataDir: string): Promise<AttachmentStore> {
    const store = new AttachmentStore(path.join(dataDir, 'attachments'));
    await privateDir(store.dir, { contents: true });
    try {
      store.#refs = Refs.parse(JSON.parse(await readFile(path.join(store.dir, REFS_FILE), 'utf8')));
    } catch {
      // No file yet, or a damaged one: files then count as held by nobody and are kept a day after their last write.
      store.#refs = {};
    }
    return store;
  }

  #file(id: string, suffix: Suffix): string {
    // Ids come from the window and from history files: only a sha256 may become part of a path.
    if (!ATTACHMENT_ID.safeParse(id).success) throw new VegaError('attachment_not_found', 'That is not an attachment id.');
    return path.join(this.dir, id + suffix);
  }

  async meta(id: string): Promise<StoredMeta | null> {
    try {
      return StoredMeta.parse(JSON.parse(await readFile(this.#file(id, '.json'), 'utf8')));
    } catch {
      return null;
    }
  }

  /** Save a file with what is known of it; the meta is written last, so a file with meta is whole. */
  async save(id: string, bytes: Uint8Array, meta: StoredMeta, extra: { text?: string; thumbnail?: Uint8Array } = {}): Promise<void> {
    await writeFileAtomic(this.#file(id, ''), bytes);
    if (extra.text !== undefined) await writeFileAtomic(this.#file(id, '.txt'), extra.text);
    if (extra.thumbnail) await writeFileAtomic(this.#file(id, '.thumb'), extra.thumbnail);
    await writeFileAtomic(this.#file(id, '.json'), JSON.stringify(meta));
  }

  /** The same file added again: its new name, a thumbnail it lacked, and a fresh time so an unsent file is not collected under it. */
  async touch(id: string, meta: StoredMeta, thumbnail?: Uint8Array): Promise<void> {
    if (thumbnail) await writeFileAtomic(this.#file(id, '.thumb'), thumbnail);
    await writeFileAtomic(this.#file(id, '.json'), JSON.stringify(meta));
    const now = new Date();
    await utimes(this.#file(id, ''), now, now);
  }

  async read(id: string, part: 'file' | 'text' | 'thumbnail'): Promise<Buffer | null> {
    const suffix = part === 'file' ? '' : part === 'text' ? '.txt' : '.thumb';
    try {
      return await readFile(this.#file(id, suffix));
    } catch (err) {
      if (err instanceof VegaError || (err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  /** A message of this conversation now holds these files. */
  async hold(conversationId: string, ids: readonly string[]): Promise<void> {
    let changed = false;
    for (const id of ids) {
      const holders = (this.#refs[id] ??= []);
      if (!holders.includes(conversationId)) {
        holders.push(conversationId);
        changed = true;
      }
    }
    if (changed) await this.#saveRefs();
  }

  /** The conversation is gone: remove the files no other conversation holds; returns the ids removed. */
  async release(conversationId: string): Promise<string[]> {
    const removed: string[] = [];
    let changed = false;
    for (const [id, holders] of Object.entries(this.#refs)) {
      if (!holders.includes(conversationId)) continue;
      changed = true;
      const rest = holders.filter((h) => h !== conversationId);
      if (rest.length) this.#refs[id] = rest;
      else {
        delete this.#refs[id];
        removed.push(id);
      }
    }
    if (!changed) return removed;
    await this.#saveRefs();
    await Promise.all(removed.map((id) => this.#remove(id)));
    return removed;
  }

  /**
   * At start: forget holders that no longer exist (a crash between deleting a
   * conversation and saving refs.json), then remove files held by nobody and
   * untouched for `idleMs` (added but never sent). Returns the ids removed.
   */
  async collect(exists: (conversationId: string) => boolean, idleMs: number, now = Date.now()): Promise<string[]> {
    let changed = false;
    for (const [id, holders] of Object.entries(this.#refs)) {
      const live = holders.filter(exists);
      if (live.length === holders.length) continue;
      changed = true;
      if (live.length) this.#refs[id] = live;
      else delete this.#refs[id];
    }
    if (changed) await this.#saveRefs();
    const removed: string[] = [];
    for (const name of await readdir(this.dir)) {
      if (!/^[0-9a-f]{64}$/.test(name) || this.#refs[name]) continue;
      const st = await stat(path.join(this.dir, name)).catch(() => null);
      if (st && now - st.mtimeMs > idleMs) {
        await this.#remove(name);
        removed.push(name);
      }
    }
    return removed;
  }

  async #remove(id: string): Promise<void> {
    // Meta first: a file without meta is not served, and the rest follow.
    for (const suffix of ['.json', '.txt', '.thumb', ''] as const) await rm(this.#file(id, suffix), { force: true });
  }

  #saveRefs(): Promise<void> {
    const snapshot = JSON.stringify(this.#refs);
    const write = this.#writing.then(() => writeFileAtomic(path.join(this.dir, REFS_FILE), snapshot));
    this.#writing = write.catch(() => undefined);
    return write;
  }
}
