import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LiveText } from '../../src-renderer/chat/live-text.js';

describe('LiveText', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function watched(live: LiveText, id: string) {
    const seen: string[] = [];
    live.subscribe(id, () => seen.push(live.get(id)));
    return seen;
  }

  it('shows the first text at once, then what arrives within the interval in one showing', () => {
    const live = new LiveText(50);
    const seen = watched(live, 'a1');
    live.append('a1', 'A');
    expect(seen).toEqual(['A']);
    live.append('a1', ' pool');
    live.append('a1', ' keeps');
    expect(live.get('a1')).toBe('A');
    expect(seen).toEqual(['A']);
    vi.advanceTimersByTime(50);
    expect(seen).toEqual(['A', 'A pool keeps']);
    // Nothing new: no showing.
    vi.advanceTimersByTime(500);
    expect(seen).toHaveLength(2);
  });

  it('hands back all it holds, shown or not, and tells the listeners it holds nothing', () => {
    const live = new LiveText(50);
    const seen = watched(live, 'a1');
    live.append('a1', 'Half');
    live.append('a1', ' an answer');
    expect(live.takeAll()).toEqual([['a1', 'Half an answer']]);
    expect(seen).toEqual(['Half', '']);
    // The pending showing was dropped with the text.
    vi.advanceTimersByTime(50);
    expect(seen).toEqual(['Half', '']);
    expect(live.takeAll()).toEqual([]);
  });

  it('tells only the listeners of the message whose text changed', () => {
    const live = new LiveText(50);
    const a = watched(live, 'a1');
    const b = watched(live, 'b1');
    live.append('a1', 'x');
    vi.advanceTimersByTime(50);
    live.append('b1', 'y');
    expect(a).toEqual(['x']);
    expect(b).toEqual(['y']);
  });
});
