/** What a section hands back to the orchestrator. */

export interface Row {
  /** Section and what is measured, e.g. "request · HTTPS seq · pooled vs per-request". */
  readonly benchmark: string;
  /** The measured figure, formatted for people. */
  readonly figure: string;
  /** The target as written in the brief, or '—' when the row is informational. */
  readonly target: string;
  /** true/false against the target; null when informational or not run. */
  readonly met: boolean | null;
}

export interface SectionResult {
  readonly name: string;
  /** Every raw figure, for latest.json. */
  readonly figures: Record<string, unknown>;
  readonly rows: Row[];
  /** Remarks that belong under the table (what a miss means, what was not run). */
  readonly notes?: string[];
}

export interface BenchOptions {
  readonly quick: boolean;
  /** Folder with key.pem / cert.pem of the run's self-signed certificate. */
  readonly tlsDir: string;
}

export function info(benchmark: string, figure: string): Row {
  return { benchmark, figure, target: '—', met: null };
}

export function check(benchmark: string, figure: string, target: string, met: boolean): Row {
  return { benchmark, figure, target, met };
}
