import type { ProviderHealth } from '../../src-shared/chat.js';
import { toErrorValue } from '../../src-shared/errors.js';

/**
 * One health check: timed, bounded by `timeoutMs` even if the check itself
 * ignores its bound, and never throwing (a dashboard shows the failure).
 */
export async function probe(
  provider: { readonly id: string; lastError: string | null },
  configured: boolean,
  timeoutMs: number,
  check: () => Promise<void>,
): Promise<ProviderHealth> {
  const checkedAt = new Date().toISOString();
  if (!configured) return { id: provider.id, kind: 'llm', configured, reachable: false, latencyMs: null, lastError: provider.lastError, checkedAt };
  const start = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs + 100);
  });
  try {
    await Promise.race([check(), bound]);
    return { id: provider.id, kind: 'llm', configured, reachable: true, latencyMs: Math.round((performance.now() - start) * 10) / 10, lastError: provider.lastError, checkedAt };
  } catch (err) {
    const value = toErrorValue(err);
    provider.lastError = value.code === 'INTERNAL' && err instanceof Error ? err.message : value.message;
    return { id: provider.id, kind: 'llm', configured, reachable: false, latencyMs: null, lastError: provider.lastError, checkedAt };
  } finally {
    clearTimeout(timer);
  }
}
