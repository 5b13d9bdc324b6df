import { describe, expect, it } from 'vitest';
import { compactSnapshot, expandSnapshot, type OriginSnapshot, type ResourceSnapshot } from '../../src-shared/resources.js';
import { tempEngine } from '../helpers/engine.js';

function origin(i: number): OriginSnapshot {
  return {
    origin: `http://127.0.0.1:${40000 + i}`,
    pool: { connected: i, free: i + 1, pending: i + 2, queued: i + 3, running: i + 4, size: i + 5 },
    requests: 1000 + i,
    failed: i,
    inFlight: i % 3,
    connectionsOpened: 10 + i,
    connectionsClosed: 9 + i,
    rps: 50 + i,
    windowMs: { p50: 0.5 + i, p95: 1.5 + i, p99: 2.5 + i },
    totalMs: { p50: 0.4 + i, p95: 1.4 + i, p99: 2.4 + i },
  };
}

describe('the snapshot on the wire', () => {
  it('round-trips exactly and stays under 4 KB with 20 busy origins', async () => {
    const e = await tempEngine();
    try {
      const base = e.rm.snapshot();
      const snap: ResourceSnapshot = { ...base, origins: Array.from({ length: 20 }, (_, i) => origin(i)) };
      const wire = compactSnapshot(snap);
      expect(expandSnapshot(JSON.parse(JSON.stringify(wire)))).toEqual(snap);
      const bytes = Buffer.byteLength(JSON.stringify({ event: 'resources:snapshot', payload: wire }));
      expect(bytes).toBeLessThan(4096);
      expect(Buffer.byteLength(JSON.stringify(snap))).toBeGreaterThan(bytes);
    } finally {
      await e.dispose();
    }
  });
});
