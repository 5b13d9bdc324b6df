import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { withDeadline } from '../../src-main/engine/deadline.js';

/**
 * Small tools for the reliability suite: bounded waits, file-descriptor and
 * heap accounting, a seeded random source and a recursive file scan.
 */

/** Heavy cases run when VEGA_HEAVY=1 (CI sets it). */
export const HEAVY = process.env.VEGA_HEAVY === '1';

/** `light` normally, `heavy` under VEGA_HEAVY=1. */
export function scale(light: number, heavy: number): number {
  return HEAVY ? heavy : light;
}

/**
 * Reject when `p` does not settle within `ms`: a guard against a hang, so a
 * broken case fails with a name instead of at the test's timeout. Not a
 * measure of speed: bounds are generous enough for a busy machine.
 */
export function within<T>(ms: number, p: Promise<T>, what = 'operation'): Promise<T> {
  return withDeadline(ms, () => p, {
    onLate: () => {
      throw new Error(`${what} did not finish within ${ms} ms`);
    },
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Open file descriptors of this process, as `fd → target` ("socket:[123]", a path, "anon_inode:…"). */
export function openFds(): Map<string, string> {
  const out = new Map<string, string>();
  let names: string[];
  try {
    names = readdirSync('/proc/self/fd');
  } catch {
    return out;
  }
  for (const fd of names) {
    try {
      out.set(fd, readlinkSync(`/proc/self/fd/${fd}`));
    } catch {
      // closed between the listing and the readlink (the listing's own descriptor)
    }
  }
  return out;
}

export function countFds(filter: (target: string) => boolean = () => true): number {
  let n = 0;
  for (const t of openFds().values()) if (filter(t)) n++;
  return n;
}

export const isSocket = (t: string): boolean => t.startsWith('socket:');

/**
 * A real `gc()` without a command-line flag: V8 lets the flag be set at run
 * time, and a new context then exposes the function. Undefined if refused.
 */
export function getGc(): (() => void) | undefined {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') return g;
  try {
    setFlagsFromString('--expose-gc');
    const fn = runInNewContext('gc') as unknown;
    return typeof fn === 'function' ? (fn as () => void) : undefined;
  } catch {
    return undefined;
  }
}

/** Heap used after full collections (several, so weak callbacks and finalizers run). */
export async function settledHeap(gc: () => void): Promise<number> {
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
    await sleep(20);
  }
  return process.memoryUsage().heapUsed;
}

/** mulberry32: a seeded source, so a failing random schedule can be replayed from its seed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every regular file under `dir`, recursively. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    const p = path.join(dir, name);
    let st;
    try {
      st = statSync(p);
    } catch {
      continue;
    }
    if (st.isDirectory()) out.push(...filesUnder(p));
    else if (st.isFile()) out.push(p);
  }
  return out;
}

/** Where each marker occurs: `file: marker` for every file under `dir` that holds one. */
export function markersInFiles(dir: string, markers: readonly string[]): string[] {
  const hits: string[] = [];
  for (const f of filesUnder(dir)) {
    const text = readFileSync(f).toString('latin1') + readFileSync(f, 'utf8');
    for (const m of markers) if (text.includes(m) || text.includes(encodeURIComponent(m))) hits.push(`${f}: ${m}`);
  }
  return hits;
}

/** Text that must never reach a person: raw transport errors. */
export const RAW_TRANSPORT_TEXT =
  /other side closed|socket hang up|ECONNRESET|ECONNREFUSED|EPIPE|UND_ERR|fetch failed|range header|TypeError|\bat .+:\d+:\d+/i;

/** Poll an async condition until it holds, bounded by `ms`. */
export async function until(cond: () => Promise<boolean> | boolean, ms = 5_000, what = 'condition', everyMs = 20): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
