import { readdir, stat, statfs } from 'node:fs/promises';
import path from 'node:path';
import type { ErrorCode } from '../../src-shared/errors.js';
import { STORAGE_OPS, type StorageOp, type StorageOpStats, type StorageStats } from '../../src-shared/storage.js';
import { Histogram } from './histogram.js';
import { RateWindow } from './rate-window.js';

/** What a store holds now, asked for when figures are read (no I/O: the store keeps these in memory). */
export interface StorageInventory {
  readonly conversations: number;
  readonly messages: number;
  readonly historyBytes: number;
}

/** A write the disk refused: the person's error and the health problem say the same. */
export interface WriteProblem {
  readonly code: Extract<ErrorCode, 'DISK_FULL' | 'STORAGE_FAILED'>;
  readonly message: string;
  readonly fix: string;
}

/**
 * What a store reports into. A plain interface: the engine measures and
 * knows no caller (the history store is one; a test may be another).
 */
export interface StorageReporter {
  /** One timed operation, ms. */
  record(op: StorageOp, ms: number): void;
  /** A write that reached the disk. */
  appended(): void;
  tornTailRepaired(): void;
  /** A write that failed: the figure, the health problem, and the typed error to throw. */
  writeFailed(err: unknown): WriteProblem;
  /** Where the conversation and message counts come from. */
  inventory(source: () => StorageInventory): void;
}

export interface StorageFolders {
  /** The data folder: its disk's free space is what is watched. */
  readonly data: string;
  readonly logs: string;
  readonly diagnostics: string;
}

const MB = 1024 * 1024;
const NOTHING: StorageInventory = { conversations: 0, messages: 0, historyBytes: 0 };

interface OpCounters {
  readonly total: Histogram;
  readonly window: RateWindow;
}

/**
 * The history store's figures, measured the way the pool's are: counters and
 * latency histograms fed as things happen, closed into one-second windows by
 * the clock, and the folders and the disk measured at most every
 * few seconds (that part needs I/O, so a reader gets the last measure).
 */
export class StorageMetrics implements StorageReporter {
  readonly folders: StorageFolders;
  readonly #lowMb: () => number;
  readonly #ops = new Map<StorageOp, OpCounters>(STORAGE_OPS.map((op) => [op, { total: new Histogram(), window: new RateWindow() }]));
  #inventory: () => StorageInventory = () => NOTHING;
  #appends = 0;
  #torn = 0;
  #failed = 0;
  #lastFailure: WriteProblem | null = null;
  #logBytes = 0;
  #diagnosticsBytes = 0;
  #diskFree: number | null = null;
  #diskTotal: number | null = null;
  #measuredAt: number | null = null;
  #measuring: Promise<void> | undefined;

  /** `lowMb` is VEGA_DISK_LOW_MB as the config says it now. */
  constructor(folders: StorageFolders, lowMb: () => number) {
    this.folders = folders;
    this.#lowMb = lowMb;
  }

  record(op: StorageOp, ms: number): void {
    const o = this.#ops.get(op)!;
    o.total.record(ms);
    o.window.record(ms);
  }

  appended(): void {
    this.#appends++;
    this.#lastFailure = null;
  }

  tornTailRepaired(): void {
    this.#torn++;
  }

  writeFailed(err: unknown): WriteProblem {
    this.#failed++;
    this.#lastFailure = writeProblem(err, this.folders.data);
    return this.#lastFailure;
  }

  inventory(source: () => StorageInventory): void {
    this.#inventory = source;
  }

  /** Latency histograms since start, for the metrics endpoint. */
  latency(op: StorageOp): Histogram {
    return this.#ops.get(op)!.total;
  }

  /** Measure the folders and the disk, unless the last measure is younger than `maxAgeMs`; callers at once share one measure. */
  refresh(maxAgeMs = 0): Promise<void> {
    if (this.#measuredAt !== null && Date.now() - this.#measuredAt < maxAgeMs) return Promise.resolve();
    return (this.#measuring ??= this.#measure().finally(() => {
      this.#measuring = undefined;
    }));
  }

  stats(): StorageStats {
    const inv = this.#inventory();
    const lowBytes = this.#lowMb() * MB;
    const ops = Object.fromEntries(
      [...this.#ops].map(([op, o]): [StorageOp, StorageOpStats] => [
        op,
        { count: o.total.count, totalMs: o.total.summary(), windowCount: o.window.lastCount(), windowMs: o.window.lastSummary() },
      ]),
    ) as Record<StorageOp, StorageOpStats>;
    const problem = this.#problem(lowBytes);
    return {
      conversations: inv.conversations,
      messages: inv.messages,
      historyBytes: inv.historyBytes,
      logBytes: this.#logBytes,
      diagnosticsBytes: this.#diagnosticsBytes,
      appends: this.#appends,
      tornTailsRepaired: this.#torn,
      failedWrites: this.#failed,
      lastWriteError: this.#lastFailure?.message ?? null,
      diskFreeBytes: this.#diskFree,
      diskTotalBytes: this.#diskTotal,
      diskLowBytes: lowBytes,
      ops,
      status: problem ? 'degraded' : 'ok',
      problem: problem?.message ?? null,
      fix: problem?.fix ?? null,
      measuredAt: this.#measuredAt,
    };
  }

  #problem(lowBytes: number): { message: string; fix: string } | null {
    if (this.#lastFailure) return this.#lastFailure;
    if (this.#diskFree !== null && this.#diskFree < lowBytes) {
      return {
        message: `Only ${Math.floor(this.#diskFree / MB)} MB are free on the disk holding ${this.folders.data} (VEGA_DISK_LOW_MB is ${lowBytes / MB}).`,
        fix: 'Free some space on that disk, or move VEGA_DATA_DIR to a larger one; Vega refuses nothing until the disk is full.',
      };
    }
    return null;
  }

  async #measure(): Promise<void> {
    const [disk, logs, diagnostics] = await Promise.all([
      statfs(this.folders.data).catch(() => null),
      folderBytes(this.folders.logs),
      folderBytes(this.folders.diagnostics),
    ]);
    this.#diskFree = disk ? disk.bavail * disk.bsize : null;
    this.#diskTotal = disk ? disk.blocks * disk.bsize : null;
    this.#logBytes = logs;
    this.#diagnosticsBytes = diagnostics;
    this.#measuredAt = Date.now();
  }
}

/** Bytes of the files directly in a folder (logs and diagnostics are flat); 0 when it does not exist. */
async function folderBytes(dir: string): Promise<number> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const sizes = await Promise.all(
    names.map((n) =>
      stat(path.join(dir, n)).then(
        (s) => (s.isFile() ? s.size : 0),
        () => 0,
      ),
    ),
  );
  return sizes.reduce((a, b) => a + b, 0);
}

const FULL = new Set(['ENOSPC', 'EDQUOT', 'EFBIG']);
const DENIED = new Set(['EACCES', 'EPERM', 'EROFS']);

/** What a failed write means for the person, by its errno code. */
export function writeProblem(err: unknown, dataDir: string): WriteProblem {
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? 'unknown error';
  const kept = 'The last change was not saved; everything saved before it is intact.';
  if (FULL.has(code)) {
    return {
      code: 'DISK_FULL',
      message: `The disk holding Vega's data is full (${code}). ${kept}`,
      fix: `Free some space on the disk holding ${dataDir}, then try again.`,
    };
  }
  if (DENIED.has(code)) {
    return {
      code: 'STORAGE_FAILED',
      message: `Vega may not write to its data folder (${code}). ${kept}`,
      fix: `Make ${dataDir} writable for the user running Vega, or set VEGA_DATA_DIR to a folder that is.`,
    };
  }
  return {
    code: 'STORAGE_FAILED',
    message: `Writing the chat history failed (${code}). ${kept}`,
    fix: `Check the disk holding ${dataDir}; the log has the details.`,
  };
}
