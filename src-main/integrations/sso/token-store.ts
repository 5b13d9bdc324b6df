import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * Where sign-in tokens live: main process only. Kept tiny so the Electron
 * glue can back it with safeStorage; values are opaque strings to the store.
 */
export interface TokenStore {
  get(name: string): Promise<string | undefined>;
  set(name: string, value: string): Promise<void>;
  delete(name: string): Promise<void>;
}

/**
 * A JSON file readable by the user only (0600), replaced atomically (temp
 * file, fsync, rename), so a crash leaves the old tokens or the new ones,
 * never a torn file. Writes are queued: two sign-ins cannot lose each other.
 */
export class FileTokenStore implements TokenStore {
  readonly file: string;
  #values: Map<string, string> | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(file: string) {
    this.file = path.resolve(file);
  }

  async get(name: string): Promise<string | undefined> {
    return (await this.#load()).get(name);
  }

  set(name: string, value: string): Promise<void> {
    return this.#update((m) => m.set(name, value));
  }

  delete(name: string): Promise<void> {
    return this.#update((m) => m.delete(name));
  }

  #update(change: (m: Map<string, string>) => void): Promise<void> {
    const run = this.#queue.then(async () => {
      const values = new Map(await this.#load());
      change(values);
      await this.#write(values);
      this.#values = values;
    });
    this.#queue = run.catch(() => {});
    return run;
  }

  async #load(): Promise<Map<string, string>> {
    if (this.#values) return this.#values;
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return (this.#values = new Map());
      throw err;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      // A damaged file means signing in again, not a crash; it is overwritten on the next save.
      parsed = {};
    }
    const entries = parsed && typeof parsed === 'object' ? Object.entries(parsed as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string') : [];
    return (this.#values = new Map(entries));
  }

  async #write(values: Map<string, string>): Promise<void> {
    await mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${randomBytes(4).toString('hex')}.tmp`;
    const fh = await open(tmp, 'w', 0o600);
    try {
      await fh.writeFile(JSON.stringify(Object.fromEntries(values)));
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      // The umask may have widened the mode at creation; make sure before it becomes the file.
      await chmod(tmp, 0o600);
      await rename(tmp, this.file);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }
}
