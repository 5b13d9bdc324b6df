import { describe, expect, it } from 'vitest';
import { RateWindow } from '../../src-main/engine/rate-window.js';

describe('RateWindow', () => {
  it('shows the last complete second, closed by the clock at the next record or read', () => {
    const w = new RateWindow();
    const t = 1_000_000;
    w.record(5, t + 10);
    w.record(7, t + 990);
    expect(w.lastCount(t + 999)).toBe(0); // still open
    expect(w.lastCount(t + 1_000)).toBe(2);
    expect(w.lastSummary(t + 1_500)).toMatchObject({ p50: expect.closeTo(5, 0) as number });
    w.record(1, t + 1_600);
    expect(w.lastCount(t + 2_100)).toBe(1);
  });

  it('drops a window when a whole second passed after it with nothing, and never shows an old one', () => {
    const w = new RateWindow();
    const t = 2_000_000;
    w.record(5, t);
    w.record(5, t + 1);
    expect(w.lastCount(t + 2_000)).toBe(0);
    expect(w.lastSummary(t + 2_000)).toEqual({ p50: 0, p95: 0, p99: 0 });
    w.record(3, t + 60_000);
    expect(w.lastCount(t + 61_000)).toBe(1);
    expect(w.lastCount(t + 62_000)).toBe(0);
  });
});
