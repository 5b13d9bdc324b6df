import { describe, expect, it } from 'vitest';
import { RingBuffer, windowSlice } from '../../src-renderer/dashboard/ring-buffer.js';

describe('RingBuffer', () => {
  it('holds up to its capacity, oldest first', () => {
    const b = new RingBuffer<number>(3);
    expect(b.size).toBe(0);
    expect(b.last()).toBeUndefined();
    b.push(1);
    b.push(2);
    expect(b.toArray()).toEqual([1, 2]);
    expect(b.size).toBe(2);
    expect(b.capacity).toBe(3);
  });

  it('wraps: pushing past capacity drops the oldest', () => {
    const b = new RingBuffer<number>(3);
    for (let i = 1; i <= 7; i++) b.push(i);
    expect(b.size).toBe(3);
    expect(b.toArray()).toEqual([5, 6, 7]);
    expect(b.at(0)).toBe(5);
    expect(b.at(-1)).toBe(7);
    expect(b.last()).toBe(7);
    expect(b.at(3)).toBeUndefined();
    expect(b.at(-4)).toBeUndefined();
  });

  it('keeps an hour of one-second snapshots without growing', () => {
    const b = new RingBuffer<{ t: number }>(3600);
    for (let i = 0; i < 10_000; i++) b.push({ t: i * 1000 });
    expect(b.size).toBe(3600);
    expect(b.at(0)?.t).toBe(6400 * 1000);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new RingBuffer(0)).toThrow(RangeError);
    expect(() => new RingBuffer(1.5)).toThrow(RangeError);
  });

  it('takeLastWhile walks back from the newest, across the wrap point', () => {
    const b = new RingBuffer<number>(5);
    for (let i = 1; i <= 8; i++) b.push(i); // holds 4..8, wrapped
    expect(b.takeLastWhile((x) => x > 5)).toEqual([6, 7, 8]);
    expect(b.takeLastWhile(() => true)).toEqual([4, 5, 6, 7, 8]);
    expect(b.takeLastWhile(() => false)).toEqual([]);
  });

  it('clear empties it', () => {
    const b = new RingBuffer<number>(2);
    b.push(1);
    b.clear();
    expect(b.size).toBe(0);
    b.push(9);
    expect(b.toArray()).toEqual([9]);
  });
});

describe('windowSlice', () => {
  const filled = (n: number) => {
    const b = new RingBuffer<{ t: number }>(3600);
    for (let i = 0; i < n; i++) b.push({ t: 1_000_000 + i * 1000 });
    return b;
  };

  it('returns the last window of time before the newest item', () => {
    const w = windowSlice(filled(600), 60_000);
    expect(w).toHaveLength(60);
    expect(w[w.length - 1]!.t).toBe(1_000_000 + 599_000);
    expect(w[0]!.t).toBe(1_000_000 + 540_000);
  });

  it('returns everything when the window is longer than the history', () => {
    expect(windowSlice(filled(30), 60 * 60_000)).toHaveLength(30);
    expect(windowSlice(filled(0), 60_000)).toEqual([]);
  });
});
