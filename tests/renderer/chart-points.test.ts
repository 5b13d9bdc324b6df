import { describe, expect, it } from 'vitest';
import { CHART_POINTS, ChartPoints } from '../../src-renderer/dashboard/chart-points.js';

const at = (t: number) => ({ t });

describe('ChartPoints', () => {
  it('buckets a window into about CHART_POINTS, never finer than a second', () => {
    expect(new ChartPoints(5 * 60_000).bucketMs).toBe(10_000);
    expect(new ChartPoints(60 * 60_000).bucketMs).toBe(120_000);
    expect(new ChartPoints(20_000).bucketMs).toBe(1000);
  });

  it('keeps the first snapshot of each bucket and the same array until the next bucket opens', () => {
    const p = new ChartPoints(5 * 60_000);
    expect(p.push(at(3_000_000))).toBe(true);
    const drawn = p.points;
    // The rest of that 10 s bucket: skipped, the array untouched.
    for (let s = 1; s < 10; s++) expect(p.push(at(3_000_000 + s * 1000))).toBe(false);
    expect(p.points).toBe(drawn);
    expect(p.push(at(3_010_000))).toBe(true);
    expect(p.points).not.toBe(drawn);
    expect(p.points.map((x) => x.t)).toEqual([3_000_000, 3_010_000]);
  });

  it('holds one window, however long the feed: an hour of one-second snapshots leaves the last five minutes', () => {
    const p = new ChartPoints(5 * 60_000);
    let changes = 0;
    for (let i = 0; i < 3600; i++) if (p.push(at(3_000_000_000 + i * 1000))) changes++;
    expect(changes).toBe(360);
    expect(p.points.length).toBeLessThanOrEqual(CHART_POINTS);
    expect(p.points.length).toBeGreaterThanOrEqual(CHART_POINTS - 1);
    const newest = p.points.at(-1)!.t;
    expect(p.points[0]!.t).toBeGreaterThan(newest - 5 * 60_000);
    expect(p.points.map((x) => x.t)).toEqual([...p.points.map((x) => x.t)].sort((a, b) => a - b));
  });
});
