import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PullProgress } from '../../src-shared/models.js';
import { PullQueue } from '../../src-main/models/pull-queue.js';
import { PullTracker } from '../../src-main/models/pull-tracker.js';

// Timers and the clock are fake; setImmediate and the microtask queue stay real, so the async source runs as it would.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

const DIGEST = 'sha256:' + 'a'.repeat(64);

/** Ollama's lines for one layer of `total` bytes in `n` steps, the clock moving `stepMs` before each. */
async function* ollamaLines(total: number, n: number, stepMs: number): AsyncGenerator<unknown> {
  yield { status: 'pulling manifest' };
  yield { status: 'pulling aaaaaaaaaaaa', digest: DIGEST, total };
  for (let i = 1; i <= n; i++) {
    vi.advanceTimersByTime(stepMs);
    yield { status: 'pulling aaaaaaaaaaaa', digest: DIGEST, total, completed: Math.round((total * i) / n) };
  }
  yield { status: 'verifying sha256 digest' };
  yield { status: 'writing manifest' };
  yield { status: 'success' };
}

async function runPull(lines: AsyncIterable<unknown>): Promise<{ events: PullProgress[]; at: number[] }> {
  const events: PullProgress[] = [];
  const at: number[] = [];
  let finished!: () => void;
  const done = new Promise<void>((r) => (finished = r));
  const queue = new PullQueue(() => lines, {
    emit: (p) => {
      events.push(p);
      at.push(Date.now());
    },
    onFinished: () => finished(),
  });
  queue.pull('llama3.2:1b');
  await done;
  // The final state may wait out the rest of its 100 ms slot.
  await vi.advanceTimersByTimeAsync(100);
  return { events, at };
}

describe('pull progress coalescing (fake clock)', () => {
  it('10 000 lines over one second leave as at most one event per 100 ms, the last one final', async () => {
    const { events, at } = await runPull(ollamaLines(4_000_000_000, 10_000, 0.1));
    expect(events.length).toBeLessThanOrEqual(1_000 / 100 + 2);
    expect(events.length).toBeGreaterThanOrEqual(5);
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!, `event ${i}`).toBeGreaterThanOrEqual(100);
    expect(events.at(-1)).toMatchObject({ state: 'done', completed: 4_000_000_000, total: 4_000_000_000 });
  });

  it('a slow stream is not held back: each change more than 100 ms apart is its own event', async () => {
    const { events } = await runPull(ollamaLines(1_000, 5, 250));
    const bytes = events.map((e) => e.completed);
    expect(bytes).toEqual(expect.arrayContaining([200, 400, 600, 800, 1_000]));
    expect(events.at(-1)?.state).toBe('done');
  });
});

describe('PullTracker', () => {
  it('measures speed and time left over the last seconds, and stops both once verifying', () => {
    const t = new PullTracker('m');
    t.take({ status: 'pulling aaaaaaaaaaaa', digest: DIGEST, total: 1_000_000 });
    for (let i = 1; i <= 10; i++) {
      vi.advanceTimersByTime(100);
      t.take({ status: 'pulling aaaaaaaaaaaa', digest: DIGEST, total: 1_000_000, completed: i * 10_000 });
    }
    const p = t.progress();
    expect(p.bytesPerSecond).toBe(100_000);
    expect(p.secondsLeft).toBe(9);
    t.take({ status: 'verifying sha256 digest' });
    expect(t.verifying).toBe(true);
    expect(t.progress().bytesPerSecond).toBeNull();
  });

  it('takes odd numbers as whole bytes and never lets completed pass total', () => {
    const t = new PullTracker('m');
    t.take({ digest: 'sha256:b', total: 100, completed: 250 });
    t.take({ digest: 'sha256:c', total: 'many', completed: -5 });
    t.take({ digest: 'sha256:d', total: Number.POSITIVE_INFINITY, completed: 3.7 });
    t.take(null);
    t.take('garbage');
    const p = t.progress();
    expect(p.layers).toEqual([
      { digest: 'sha256:b', total: 100, completed: 100 },
      { digest: 'sha256:c', total: 0, completed: 0 },
      { digest: 'sha256:d', total: 0, completed: 0 },
    ]);
    expect(p).toMatchObject({ total: 100, completed: 100 });
  });

  it('throws the error an {"error"} line carries, as the sentence with the fix', () => {
    const t = new PullTracker('llama3.2:1b');
    expect(() => t.take({ error: 'pull model manifest: file does not exist' })).toThrow(/registry has no model "llama3.2:1b"/);
    expect(() => t.take({ error: { message: 'odd shape' } })).toThrow(/could not pull "llama3.2:1b"/);
  });
});
