import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { LoopDelay } from '../../src-main/engine/loop-delay.js';

function block(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

describe('LoopDelay', () => {
  it('reports a blocked loop, and keeps reporting it across a change of resolution until the new monitor has a sample', async () => {
    const loop = new LoopDelay(20);
    try {
      expect(loop.percentileMs(99)).toBe(0); // no sample yet
      await sleep(60);
      block(300);
      await sleep(60);
      expect(loop.percentileMs(99)).toBeGreaterThanOrEqual(250);
      loop.setResolution(1_000);
      expect(loop.percentileMs(99)).toBeGreaterThanOrEqual(250);
      loop.reset();
      expect(loop.percentileMs(99)).toBeGreaterThanOrEqual(250);
    } finally {
      loop.close();
    }
  });
});
