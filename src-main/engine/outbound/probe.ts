import { performance } from 'node:perf_hooks';
import { VegaError, type ErrorCode } from '../../../src-shared/errors.js';
import { DeadlineError, withDeadline } from '../deadline.js';

export interface ProbeResult {
  readonly reachable: boolean;
  /** Time to the answer, ms; null when nothing answered. */
  readonly latencyMs: number | null;
  readonly lastError: string | null;
}

/** Failures in which no server answered: refused or unresolvable, too slow, stopped, or never asked. */
const NO_ANSWER: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'PROVIDER_UNREACHABLE',
  'TIMEOUT',
  'ABORTED',
  'CONFIG_INVALID',
  'SHUTTING_DOWN',
]);

/**
 * One health check: timed, bounded by `timeoutMs` even if `check` ignores its
 * signal, and never throwing (a dashboard shows the failure). A server that
 * answered is reachable, even when its answer is an error (401, 500, a
 * refused key): it is there, and the error says what is wrong with it.
 */
export async function probe(timeoutMs: number, check: (signal: AbortSignal) => Promise<unknown>): Promise<ProbeResult> {
  const start = performance.now();
  const latency = (): number => Math.round((performance.now() - start) * 10) / 10;
  try {
    await withDeadline(timeoutMs, check);
    return { reachable: true, latencyMs: latency(), lastError: null };
  } catch (err) {
    if (err instanceof DeadlineError) return { reachable: false, latencyMs: null, lastError: `No answer within ${timeoutMs / 1000} s.` };
    const answered = err instanceof VegaError && !NO_ANSWER.has(err.code);
    return { reachable: answered, latencyMs: answered ? latency() : null, lastError: err instanceof Error ? err.message : String(err) };
  }
}
