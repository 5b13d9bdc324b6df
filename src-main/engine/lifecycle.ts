import type { Logger } from 'pino';
import { CLEANUP_PHASES, type CleanupPhase, type CleanupStepReport } from '../../src-shared/resources.js';
import { DeadlineError, withDeadline } from './deadline.js';

export type CleanupFn = (signal: AbortSignal) => unknown;

export interface CleanupOptions {
  readonly phase?: CleanupPhase;
  /** Bound for this step; default 5 s. */
  readonly timeoutMs?: number;
}

interface Step {
  readonly name: string;
  readonly fn: CleanupFn;
  readonly phase: CleanupPhase;
  readonly timeoutMs: number;
}

// The seed's log lines, phase by phase.
const PHASE_LINES: Record<CleanupPhase, { ok: string; failed: string }> = {
  llm: { ok: '✓ LLM providers shut down', failed: '✗ LLM shutdown failed' },
  resources: { ok: '✓ Resource manager shut down', failed: '✗ Resource manager shutdown failed' },
  background: { ok: '✓ Background processes stopped', failed: '✗ Process shutdown failed' },
};

/** The smallest slice a step gets even when the total bound is spent, so later steps still run. */
const MIN_STEP_MS = 50;

/**
 * The ordered cleanup of the seed: LLM providers, then the resource manager,
 * then background work. Each step is isolated, timed and bounded; a step
 * that hangs is abandoned at its bound (its signal is aborted) and the rest go on.
 */
export class Lifecycle {
  readonly #steps: Step[] = [];
  readonly #logger: Logger;
  readonly #defaultStepMs: number;
  readonly #totalMs: number;
  #shutdown: Promise<CleanupStepReport[]> | undefined;

  constructor(logger: Logger, opts: { defaultStepMs?: number; totalMs?: number } = {}) {
    this.#logger = logger;
    this.#defaultStepMs = opts.defaultStepMs ?? 5_000;
    this.#totalMs = opts.totalMs ?? 15_000;
  }

  /** Register a step; the returned function removes it again. */
  register(name: string, fn: CleanupFn, opts: CleanupOptions = {}): () => void {
    const step: Step = { name, fn, phase: opts.phase ?? 'background', timeoutMs: opts.timeoutMs ?? this.#defaultStepMs };
    this.#steps.push(step);
    return () => {
      const i = this.#steps.indexOf(step);
      if (i !== -1) this.#steps.splice(i, 1);
    };
  }

  get registered(): number {
    return this.#steps.length;
  }

  get shuttingDown(): boolean {
    return this.#shutdown !== undefined;
  }

  /** Run every step once, in phase order; a second call gets the same promise. */
  shutdown(): Promise<CleanupStepReport[]> {
    return (this.#shutdown ??= this.#run());
  }

  async #run(): Promise<CleanupStepReport[]> {
    const log = this.#logger;
    log.info('Starting graceful shutdown...');
    const deadline = performance.now() + this.#totalMs;
    const report: CleanupStepReport[] = [];
    for (const phase of CLEANUP_PHASES) {
      const failures: string[] = [];
      for (const step of this.#steps.filter((s) => s.phase === phase)) {
        const budget = Math.max(MIN_STEP_MS, Math.min(step.timeoutMs, deadline - performance.now()));
        const r = await runStep(step, budget);
        report.push(r);
        if (r.ok) log.debug({ step: r.step, phase, ms: r.ms }, `cleanup step ${r.step} done`);
        else failures.push(`${r.step}: ${r.error}`);
      }
      if (failures.length) log.error({ phase }, `${PHASE_LINES[phase].failed}: ${failures.join('; ')}`);
      else log.info({ phase }, PHASE_LINES[phase].ok);
    }
    log.info('Shutdown complete');
    return report;
  }
}

async function runStep(step: Step, budgetMs: number): Promise<CleanupStepReport> {
  const start = performance.now();
  let error: string | null = null;
  try {
    await withDeadline<unknown>(budgetMs, (signal) => step.fn(signal));
  } catch (err) {
    // The seed's wording, which the shutdown log lines and their readers know.
    error = err instanceof DeadlineError ? `timed out after ${Math.round(budgetMs)} ms` : err instanceof Error ? err.message : String(err);
  }
  return { step: step.name, phase: step.phase, ok: error === null, ms: Math.round((performance.now() - start) * 10) / 10, error };
}
