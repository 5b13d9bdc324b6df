import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Histogram as EngineHistogram } from '../engine/histogram.js';

/**
 * prom-client metrics whose values are read from the engine's own counters
 * when Prometheus scrapes (collect callbacks), so nothing is counted twice
 * and a request costs the engine nothing more for being exported.
 */

export type Labels<L extends string> = Readonly<Record<L, string>>;
export type Sample<L extends string> = readonly [labels: Labels<L>, value: number];

interface Spec<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly L[];
}

/** A counter set to the engine's running total at each scrape. */
export function collectedCounter<L extends string>(registry: Registry, spec: Spec<L>, read: () => Iterable<Sample<L>>): void {
  new Counter<L>({
    ...spec,
    labelNames: spec.labelNames ?? [],
    registers: [registry],
    collect() {
      // Series that vanished (an origin dropped from the pool) go with the reset.
      this.reset();
      for (const [labels, value] of read()) this.inc(labels, value);
    },
  });
}

export function collectedGauge<L extends string>(registry: Registry, spec: Spec<L>, read: () => Iterable<Sample<L>>): void {
  new Gauge<L>({
    ...spec,
    labelNames: spec.labelNames ?? [],
    registers: [registry],
    collect() {
      this.reset();
      for (const [labels, value] of read()) this.set(labels, value);
    },
  });
}

export interface HistogramSpec<L extends string> extends Spec<L> {
  /** Upper bounds in the exported unit (seconds, tokens per second). */
  readonly buckets: readonly number[];
  /** Engine units per exported unit: 1000 when the engine records ms and Prometheus wants seconds. */
  readonly scale: number;
}

type Value = { value: number; labels: Record<string, string | number>; metricName: string };

/**
 * A histogram read off the engine's log-bucketed histograms at scrape time:
 * prom-client's own Histogram keeps its counts in its observe() path, which
 * would mean recording every request twice.
 */
class CollectedHistogram<L extends string> extends Histogram<L> {
  readonly #spec: HistogramSpec<L>;
  readonly #read: () => Iterable<readonly [Labels<L>, EngineHistogram]>;

  constructor(registry: Registry, spec: HistogramSpec<L>, read: () => Iterable<readonly [Labels<L>, EngineHistogram]>) {
    super({ name: spec.name, help: spec.help, labelNames: spec.labelNames ?? [], buckets: [...spec.buckets], registers: [registry] });
    this.#spec = spec;
    this.#read = read;
  }

  // The registry asks for this one when it writes the text format.
  async getForPromString(): Promise<{ name: string; help: string; type: 'histogram'; aggregator: 'sum'; values: Value[] }> {
    const { name, help, buckets, scale } = this.#spec;
    const bounds = buckets.map((b) => b * scale);
    const values: Value[] = [];
    for (const [labels, h] of this.#read()) {
      const counts = h.cumulative(bounds);
      buckets.forEach((le, i) => values.push({ value: counts[i]!, labels: { ...labels, le }, metricName: `${name}_bucket` }));
      values.push({ value: h.count, labels: { ...labels, le: '+Inf' }, metricName: `${name}_bucket` });
      values.push({ value: h.sum / scale, labels: { ...labels }, metricName: `${name}_sum` });
      values.push({ value: h.count, labels: { ...labels }, metricName: `${name}_count` });
    }
    return { name, help, type: 'histogram', aggregator: 'sum', values };
  }

  override async get(): Promise<Awaited<ReturnType<Histogram<L>['get']>>> {
    return (await this.getForPromString()) as unknown as Awaited<ReturnType<Histogram<L>['get']>>;
  }
}

export function collectedHistogram<L extends string>(
  registry: Registry,
  spec: HistogramSpec<L>,
  read: () => Iterable<readonly [Labels<L>, EngineHistogram]>,
): void {
  new CollectedHistogram(registry, spec, read);
}

/**
 * Label values kept apart at most per label: past the cap the rest share the
 * value "other", so names that come from outside (origins web fetch reached,
 * models a client named) cannot grow a scrape without bound. The first ones
 * seen keep their own series, so a counter never jumps between series.
 */
export const LABEL_VALUES_KEPT = 50;
export const OTHER = 'other';

export function capped<K>(keys: Iterable<K>, max = LABEL_VALUES_KEPT): (key: K, label: string) => string {
  const kept = new Set<K>();
  for (const k of keys) {
    if (kept.size >= max) break;
    kept.add(k);
  }
  return (key, label) => (kept.has(key) ? label : OTHER);
}

/** Sum samples that ended up with the same labels (the "other" bucket). */
export function merged<L extends string>(samples: Iterable<Sample<L>>): Sample<L>[] {
  const out = new Map<string, [Labels<L>, number]>();
  for (const [labels, value] of samples) {
    const key = JSON.stringify(labels);
    const seen = out.get(key);
    if (seen) seen[1] += value;
    else out.set(key, [labels, value]);
  }
  return [...out.values()];
}
