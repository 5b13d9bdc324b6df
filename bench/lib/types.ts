/**
 * What a section hands back to the orchestrator.
 *
 * Checked rows from repeated measurements go through `checkReps` (stable API,
 * other sections adopt it):
 *
 *   checkReps(benchmark, values, target, cmp, fmt, opts?) → Row
 *
 * - `values`: one figure per rep (e.g. a ratio per interleaved round); with
 *   fewer than 3 the row shows the figure unjudged.
 * - `cmp`: '<=' or '>=', how the figure must compare with `target`.
 * - `fmt`: formats a figure (fmtX, fmtMs, a percentage…); `opts.targetText`
 *   overrides the target cell, `opts.detail` is appended to the figure.
 * - The figure reads `median (IQR a–b, n reps)`. The row is met when the whole
 *   interquartile range meets the target, not met when none of it does, and
 *   `withinNoise` (with `met` = the median's verdict) when the range crosses
 *   the target: this run cannot tell, run.ts prints "within noise".
 */
import { median, quantile } from './stats.js';

export interface Row {
  /** Section and what is measured, e.g. "request · HTTPS seq · pooled vs per-request". */
  readonly benchmark: string;
  /** The measured figure, formatted for people. */
  readonly figure: string;
  /** The target as written in the brief, or '—' when the row is informational. */
  readonly target: string;
  /** true/false against the target; null when informational or not run. */
  readonly met: boolean | null;
  /** The reps' spread crosses the target: `met` is the median's verdict, not a settled one. */
  readonly withinNoise?: boolean;
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

export type Cmp = '<=' | '>=';

export interface Reps {
  readonly median: number;
  /** Interquartile range (linear interpolation between reps). */
  readonly q1: number;
  readonly q3: number;
  readonly n: number;
}

export function reps(values: readonly number[]): Reps {
  return { median: median(values), q1: quantile(values, 0.25), q3: quantile(values, 0.75), n: values.length };
}

export const MIN_REPS = 3;

export function checkReps(
  benchmark: string,
  values: readonly number[],
  target: number,
  cmp: Cmp,
  fmt: (n: number) => string,
  opts: { targetText?: string; detail?: string } = {},
): Row {
  // Too few reps to judge (a section's budget ran out on a slow machine): the figure still shows, unjudged.
  if (values.length < MIN_REPS) {
    const n = values.length;
    return info(benchmark, `${fmt(median(values))} (${n} rep${n === 1 ? '' : 's'} only, unjudged)${opts.detail ? `; ${opts.detail}` : ''}`);
  }
  const r = reps(values);
  const ok = (x: number): boolean => (cmp === '<=' ? x <= target : x >= target);
  const lowOk = ok(r.q1);
  const highOk = ok(r.q3);
  const figure = `${fmt(r.median)} (IQR ${fmt(r.q1)}–${fmt(r.q3)}, ${r.n} reps)${opts.detail ? `; ${opts.detail}` : ''}`;
  const row: Row = { benchmark, figure, target: opts.targetText ?? `${cmp === '<=' ? '≤' : '≥'} ${fmt(target)}`, met: ok(r.median) };
  return lowOk === highOk ? row : { ...row, withinNoise: true };
}
