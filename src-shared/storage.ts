import type { LatencySummary } from './resources.js';

/** What Vega's "database" reports about itself: the history store, the logs and the disk under them. */

/** The store operations that are timed: the design note's "query timing". */
export const STORAGE_OPS = ['list', 'get', 'append', 'fsync'] as const;
export type StorageOp = (typeof STORAGE_OPS)[number];

export interface StorageOpStats {
  /** Operations since start. */
  readonly count: number;
  /** Latency since start, milliseconds. */
  readonly totalMs: LatencySummary;
  /** Operations in the last one-second window, and their latency. */
  readonly windowCount: number;
  readonly windowMs: LatencySummary;
}

export interface StorageStats {
  readonly conversations: number;
  /** Messages in all conversations as they read now (a regenerated answer counts once). */
  readonly messages: number;
  /** Bytes on disk: the conversation files, the rotated logs, the exported diagnostics. */
  readonly historyBytes: number;
  readonly logBytes: number;
  readonly diagnosticsBytes: number;
  /** Writes that reached the disk (a new conversation's header counts as one). */
  readonly appends: number;
  /** Torn last lines (a write cut short by a crash) cut off, at start or before an append. */
  readonly tornTailsRepaired: number;
  readonly failedWrites: number;
  /** The last failed write's message; null once a write succeeds again. */
  readonly lastWriteError: string | null;
  /** Free and total space of the disk holding the data folder; null until measured (or where statfs fails). */
  readonly diskFreeBytes: number | null;
  readonly diskTotalBytes: number | null;
  /** VEGA_DISK_LOW_MB in bytes: below it health is degraded. */
  readonly diskLowBytes: number;
  readonly ops: Readonly<Record<StorageOp, StorageOpStats>>;
  readonly status: 'ok' | 'degraded';
  /** What is wrong and what to do about it, when degraded. */
  readonly problem: string | null;
  readonly fix: string | null;
  /** Epoch ms of the last measure of the folders and the disk; null before the first. */
  readonly measuredAt: number | null;
}
