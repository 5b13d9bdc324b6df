import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Counts, Op } from './server-proc.js';

const here = path.dirname(fileURLToPath(import.meta.url));

type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

/** The bench's servers in a child process (see server-proc.ts), driven over IPC. */
export class RemoteServers {
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #next = 1;

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.on('message', (m: Reply | { ready: true }) => {
      if ('ready' in m) return;
      const p = this.#pending.get(m.id);
      if (!p) return;
      this.#pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else p.reject(new Error(m.error));
    });
    child.on('exit', () => {
      for (const p of this.#pending.values()) p.reject(new Error('server process exited'));
      this.#pending.clear();
    });
  }

  static async start(): Promise<RemoteServers> {
    const child = fork(path.join(here, 'server-proc.ts'), [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: process.env,
    });
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('server process did not start in 20 s')), 20_000);
      child.once('message', () => {
        clearTimeout(t);
        resolve();
      });
      child.once('exit', (code) => {
        clearTimeout(t);
        reject(new Error(`server process exited (${code})`));
      });
    });
    return new RemoteServers(child);
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  call<T>(op: Op, timeoutMs = 20_000): Promise<T> {
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      const t = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`server process: ${op.op} timed out`));
      }, timeoutMs);
      this.#pending.set(id, {
        resolve: (v) => {
          clearTimeout(t);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(t);
          reject(e);
        },
      });
      this.#child.send({ id, ...op });
    });
  }

  listen(tls: boolean, count = 1): Promise<{ id: number; url: string }[]> {
    return this.call({ op: 'listen', tls, count });
  }

  async counts(id: number): Promise<Counts> {
    const [c] = await this.call<Counts[]>({ op: 'counts', ids: [id] });
    return c!;
  }

  countsOf(ids: number[]): Promise<Counts[]> {
    return this.call({ op: 'counts', ids });
  }

  async close(): Promise<void> {
    if (this.#child.exitCode !== null || !this.#child.connected) return;
    const exited = new Promise<void>((r) => this.#child.once('exit', () => r()));
    await this.call({ op: 'close' }, 5_000).catch(() => undefined);
    const t = setTimeout(() => this.#child.kill('SIGKILL'), 3_000);
    await exited;
    clearTimeout(t);
  }
}
