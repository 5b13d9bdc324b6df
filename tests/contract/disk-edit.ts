import { writeFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { VegaApi } from '../../src-shared/api.js';

/**
 * Edit the .env file behind a host's back and wait for `config:get` to show
 * the new value, without invalidating: only the folder watcher can make that
 * happen before the 300 s TTL. Polls in 50 ms steps, bounded at 5 s.
 */
export async function expectDiskEditSeen(api: VegaApi, envFile: string, text: string, key: string, value: string): Promise<void> {
  const seen = async () => (await api.config.get()).find((e) => e.key === key)?.value;
  expect(await seen()).not.toBe(value);
  writeFileSync(envFile, text);
  for (let i = 0; i < 100 && (await seen()) !== value; i++) await new Promise((r) => setTimeout(r, 50));
  expect(await seen()).toBe(value);
}
