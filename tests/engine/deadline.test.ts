import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeadlineError, withDeadline } from '../../src-main/engine/deadline.js';

describe('withDeadline', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('returns what the work returns, and leaves no timer behind', async () => {
    await expect(withDeadline(1000, async () => 7)).resolves.toBe(7);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('settles at the bound even when the work ignores its signal, and aborts that signal', async () => {
    let seen: AbortSignal | undefined;
    const p = withDeadline(500, (signal) => {
      seen = signal;
      return new Promise<never>(() => {});
    });
    const check = expect(p).rejects.toBeInstanceOf(DeadlineError);
    await vi.advanceTimersByTimeAsync(500);
    await check;
    expect(seen?.aborted).toBe(true);
    expect(seen?.reason).toBeInstanceOf(DeadlineError);
  });

  it('resolves with onLate instead of rejecting when asked', async () => {
    const p = withDeadline(100, () => new Promise<string>(() => {}), { onLate: (e) => `late after ${e.ms}` });
    await vi.advanceTimersByTimeAsync(100);
    await expect(p).resolves.toBe('late after 100');
  });

  it("ends at once when the caller's signal aborts, with its reason", async () => {
    const caller = new AbortController();
    const p = withDeadline(10_000, () => new Promise<never>(() => {}), { signal: caller.signal });
    caller.abort(new Error('stopped by the person'));
    await expect(p).rejects.toThrow('stopped by the person');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('turns a synchronous throw into a rejection', async () => {
    await expect(
      withDeadline(100, () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
  });
});
