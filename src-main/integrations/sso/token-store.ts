import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../../engine/atomic-file.js';
import { PRIVATE_DIR_MODE } from '../../engine/private-files.js';
import type { TokenStorage } from '../../../src-shared/contract.js';

/**
 * Where sign-in tokens live: main process only. Kept tiny so the Electron
 * glue can back it with safeStorage; values are opaque strings to the store.
 */
export interface TokenStore {
  /** What the Settings view says about where tokens are kept. */
  readonly kind: TokenStorage;
  get(name: string): Promise<string | undefined>;
  set(name: string, value: string): Promise<void>;
  delete(name: string): Promise<void>;
}

/**
 * Encryption with a key the OS keeps (Electron's safeStorage, adapted by the
 * Electron glue). Nothing here knows Electron.
 */
export interface TokenCipher {
  /** False where the OS offers no real key store; the tokens then stay in the 0600 file. */
  available(): Promise<boolean>;
  encrypt(text: string): Promise<Buffer>;
  decrypt(data: Buffer): Promise<string>;
}

/**
 * A JSON file readable by the user only (0600), replaced atomically (temp
 * file, fsync, rename), so a crash leaves the old tokens or the new ones,
 * never a torn file. Writes are queued: two sign-ins cannot lose each other.
 * With a cipher, the JSON is encrypted before it reaches the disk.
 */
export class FileTokenStore implements TokenStore {
  readonly file: string;
  readonly kind: TokenStorage;
  readonly #cipher: TokenCipher | undefined;
  #values: Map<string, string> | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(file: string, cipher?: TokenCipher) {
    this.file = path.resolve(file);
    this.#cipher = cipher;
    this.kind = cipher ? 'keychain' : 'file';
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
    let data: Buffer;
    try {
      data = await readFile(this.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return (this.#values = new Map());
      throw err;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(this.#cipher ? await this.#cipher.decrypt(data) : data.toString('utf8'));
    } catch {
      // A damaged file, or one encrypted with a key the OS no longer has, means
      // signing in again, not a crash; it is overwritten on the next save.
      parsed = {};
    }
    const entries =
      parsed && typeof parsed === 'object'
        ? Object.entries(parsed as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string')
        : [];
    return (this.#values = new Map(entries));
  }

  async #write(values: Map<string, string>): Promise<void> {
    await mkdir(path.dirname(this.file), { recursive: true, mode: PRIVATE_DIR_MODE });
    const json = JSON.stringify(Object.fromEntries(values));
    await writeFileAtomic(this.file, this.#cipher ? await this.#cipher.encrypt(json) : json);
  }
}

/**
 * The desktop app's store: tokens encrypted with the OS key store where it
 * has one (`tokens.enc`), else the 0600 file (`tokens.json`), both in `dir`.
 * The choice is made on the first read or write, because Electron can only
 * say whether it has a key store once it is ready; every status answer comes
 * after a read, so `kind` is settled by then.
 */
export class KeychainTokenStore implements TokenStore {
  readonly #dir: string;
  readonly #cipher: TokenCipher;
  #chosen: Promise<FileTokenStore> | undefined;
  #kind: TokenStorage = 'file';

  constructor(dir: string, cipher: TokenCipher) {
    this.#dir = dir;
    this.#cipher = cipher;
  }

  get kind(): TokenStorage {
    return this.#kind;
  }

  async get(name: string): Promise<string | undefined> {
    return (await this.#store()).get(name);
  }

  async set(name: string, value: string): Promise<void> {
    return (await this.#store()).set(name, value);
  }

  async delete(name: string): Promise<void> {
    return (await this.#store()).delete(name);
  }

  #store(): Promise<FileTokenStore> {
    this.#chosen ??= this.#cipher
      .available()
      .catch(() => false)
      .then((ok) => {
        const store = ok
          ? new FileTokenStore(path.join(this.#dir, 'tokens.enc'), this.#cipher)
          : new FileTokenStore(path.join(this.#dir, 'tokens.json'));
        this.#kind = store.kind;
        return store;
      });
    return this.#chosen;
  }
}
