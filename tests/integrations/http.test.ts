import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { sleep } from '../../src-main/integrations/http.js';

describe('sleep (Retry-After waits, device-flow polls)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('waits out its time and leaves no timer behind', async () => {
    let done = false;
    const waiting = sleep(5_000).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(4_999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await waiting;
    expect(done).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("ends at once when stopped (ABORTED), or when the caller's deadline passed (TIMEOUT)", async () => {
    const stop = new AbortController();
    const stopped = sleep(60_000, stop.signal);
    stop.abort();
    await expect(stopped).rejects.toMatchObject({ code: 'ABORTED' });

    const deadline = new AbortController();
    const late = sleep(60_000, deadline.signal);
    deadline.abort(new DOMException('The operation timed out.', 'TimeoutError'));
    await expect(late).rejects.toMatchObject({ code: 'TIMEOUT', message: 'Ran out of time while waiting to try again.' });
    expect(vi.getTimerCount()).toBe(0);
  });
});
