/** Small numeric helpers shared by the sections. */

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Nearest-rank percentile, q in 0..1. */
export function percentile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = Float64Array.from(xs).sort();
  const rank = Math.min(s.length, Math.max(1, Math.ceil(q * s.length)));
  return s[rank - 1]!;
}

/** Quantile with linear interpolation between sorted values, q in 0..1 (for spreads of a few reps). */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(s.length - 1, lo + 1);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

/** Round to `d` significant-ish decimals for the JSON (keeps it readable). */
export function round(n: number, d = 2): number {
  if (!Number.isFinite(n)) return n;
  const f = 10 ** d;
  return Math.round(n * f) / f;
}

export function nowMs(): number {
  return performance.now();
}

/** Epoch milliseconds with sub-millisecond precision, comparable across processes on one machine. */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function fmtRate(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return n >= 100 ? `${Math.round(n).toLocaleString('en-US')}` : n.toFixed(1);
}

export function fmtMs(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (n >= 100) return `${Math.round(n)} ms`;
  if (n >= 1) return `${n.toFixed(2)} ms`;
  return `${Math.round(n * 1000)} µs`;
}

export function fmtX(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return n >= 100 ? `${Math.round(n).toLocaleString('en-US')}×` : `${n.toFixed(n >= 10 ? 1 : 2)}×`;
}

export function fmtBytes(n: number): string {
  if (Math.abs(n) >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(2)} MB`;
  if (Math.abs(n) >= 1024) return `${(n / 1024).toFixed(2)} KB`;
  return `${n} B`;
}

/** Force a full collection (the process runs with --expose-gc), letting finalizers run between passes. */
export async function fullGc(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return;
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
}

/** Wait until `cond` holds, polling every 10 ms, at most `ms`. Returns whether it held. */
export async function waitFor(cond: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await sleep(10);
  }
  return cond();
}
