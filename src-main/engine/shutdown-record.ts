import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CLEANUP_PHASES, type CleanupPhase, type CleanupStepReport } from '../../src-shared/resources.js';
import { PRIVATE_FILE_MODE } from './private-files.js';

/** How long the last shutdown took, phase by phase: kept in the data folder so the next run can report it. */
export interface ShutdownRecord {
  /** Epoch ms when it ended. */
  readonly at: number;
  readonly phasesMs: Readonly<Record<CleanupPhase, number>>;
  readonly failedSteps: number;
}

const FILE = 'last-shutdown.json';

export function shutdownRecord(report: readonly CleanupStepReport[]): ShutdownRecord {
  const phasesMs = Object.fromEntries(CLEANUP_PHASES.map((p) => [p, 0])) as Record<CleanupPhase, number>;
  // Steps run one after another, so a phase lasts the sum of its steps.
  for (const r of report) phasesMs[r.phase] = Math.round((phasesMs[r.phase] + r.ms) * 10) / 10;
  return { at: Date.now(), phasesMs, failedSteps: report.filter((r) => !r.ok).length };
}

/** Synchronous: it runs at the very end of the shutdown, and must not be cut by the exit that follows. */
export function saveShutdownRecord(dataDir: string, record: ShutdownRecord): void {
  try {
    writeFileSync(path.join(dataDir, FILE), JSON.stringify(record), { mode: PRIVATE_FILE_MODE });
  } catch {
    // A figure for the next run, not worth failing the shutdown over.
  }
}

export function loadShutdownRecord(dataDir: string): ShutdownRecord | null {
  try {
    const v = JSON.parse(readFileSync(path.join(dataDir, FILE), 'utf8')) as Partial<ShutdownRecord>;
    const phases = v.phasesMs;
    if (typeof v.at !== 'number' || !phases || !CLEANUP_PHASES.every((p) => typeof phases[p] === 'number')) return null;
    return { at: v.at, phasesMs: phases, failedSteps: typeof v.failedSteps === 'number' ? v.failedSteps : 0 };
  } catch {
    return null; // the first run, or a damaged file
  }
}
