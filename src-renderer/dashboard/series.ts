import type { OriginSnapshot, ResourceSnapshot } from '../../src-shared/resources.js';

/**
 * Chart rows derived from snapshots. Pure and small, so each chart can
 * memoise its own rows on the (already downsampled) points it is given.
 */

export const ALL_ORIGINS = '*';

export interface ConnectionRow {
  readonly t: number;
  readonly connected: number;
  readonly free: number;
  readonly running: number;
  readonly pending: number;
  readonly queued: number;
}

export interface LatencyRow {
  readonly t: number;
  readonly p50: number;
  readonly p95: number;
}

export interface MultiRow {
  readonly t: number;
  /** One value per origin, in the order of the origins list. */
  readonly v: readonly number[];
}

function pick(s: ResourceSnapshot, origin: string): readonly OriginSnapshot[] {
  return origin === ALL_ORIGINS ? s.origins : s.origins.filter((o) => o.origin === origin);
}

/** Pool gauges of one origin, or summed over all of them. */
export function connectionRows(points: readonly ResourceSnapshot[], origin: string): ConnectionRow[] {
  return points.map((s) => {
    const row = { t: s.t, connected: 0, free: 0, running: 0, pending: 0, queued: 0 };
    for (const o of pick(s, origin)) {
      row.connected += o.pool.connected;
      row.free += o.pool.free;
      row.running += o.pool.running;
      row.pending += o.pool.pending;
      row.queued += o.pool.queued;
    }
    return row;
  });
}

/** Window latency of one origin; over all, the slowest origin that served requests in that second. */
export function latencyRows(points: readonly ResourceSnapshot[], origin: string): LatencyRow[] {
  return points.map((s) => {
    let p50 = 0;
    let p95 = 0;
    for (const o of pick(s, origin)) {
      if (origin === ALL_ORIGINS && o.rps === 0) continue;
      p50 = Math.max(p50, o.windowMs.p50);
      p95 = Math.max(p95, o.windowMs.p95);
    }
    return { t: s.t, p50, p95 };
  });
}

export function rpsRows(points: readonly ResourceSnapshot[], origins: readonly string[]): MultiRow[] {
  return points.map((s) => ({ t: s.t, v: origins.map((name) => s.origins.find((o) => o.origin === name)?.rps ?? 0) }));
}

/** Every origin seen in the window, busiest first, so colours stay put while the window moves. */
export function originsIn(points: readonly ResourceSnapshot[]): string[] {
  const requests = new Map<string, number>();
  for (const s of points) for (const o of s.origins) requests.set(o.origin, Math.max(requests.get(o.origin) ?? 0, o.requests));
  return [...requests.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([o]) => o);
}

export interface CacheRow {
  readonly t: number;
  readonly hitRate: number;
  readonly hits: number;
  readonly misses: number;
}

export function cacheRows(points: readonly ResourceSnapshot[]): CacheRow[] {
  return points.map((s) => ({ t: s.t, hitRate: s.configCache.hitRate, hits: s.configCache.hits, misses: s.configCache.misses }));
}

export interface ProcessRow {
  readonly t: number;
  readonly rssMb: number;
  readonly heapMb: number;
  readonly loopP99: number;
}

const MB = 1024 * 1024;

export function processRows(points: readonly ResourceSnapshot[]): ProcessRow[] {
  return points.map((s) => ({
    t: s.t,
    rssMb: Math.round((s.process.rss / MB) * 10) / 10,
    heapMb: Math.round((s.process.heapUsed / MB) * 10) / 10,
    loopP99: s.process.eventLoopDelayP99Ms,
  }));
}
