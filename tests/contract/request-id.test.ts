import { afterEach, describe, expect, it, vi } from 'vitest';
import { newRequestId } from '../../src-shared/api.js';
import { REQUEST_ID } from '../../src-shared/contract.js';

afterEach(() => vi.unstubAllGlobals());

describe('newRequestId', () => {
  it('is a v4 UUID the hosts accept, also where randomUUID is missing (plain-http pages)', () => {
    const real = globalThis.crypto;
    expect(REQUEST_ID.safeParse(newRequestId()).success).toBe(true);
    vi.stubGlobal('crypto', { getRandomValues: (a: Uint8Array) => real.getRandomValues(a) });
    const ids = new Set(Array.from({ length: 100 }, () => newRequestId()));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
