/** What the router knows of one endpoint when a turn asks for a model. */
export interface Candidate {
  readonly key: string;
  /** Lists the model (true), does not (false), or its list is not known yet (null). */
  readonly holds: boolean | null;
  /** The model is in its memory now (/api/ps). */
  readonly loaded: boolean;
  /** Requests running to its origin now: the pool's own counter. */
  readonly running: number;
  readonly weight: number;
  /** Its recent time to first token, ms; null before it has answered. */
  readonly paceMs: number | null;
  /** Turns it has served, for spreading equal choices by weight. */
  readonly served: number;
  /** Its breaker lets a call through. */
  readonly healthy: boolean;
}

/**
 * The order in which a turn tries the endpoints: the conversation's own
 * endpoint first while it is healthy and holds the model (its KV cache is
 * warm); then healthy holders before the rest, known holders before
 * unknown; among those, the model loaded before not; then the shortest
 * expected wait — requests running, counted at the endpoint's own pace, so
 * a slow server counts as busier — per unit of weight; ties go to the one
 * that has served least for its weight. Endpoints that lack the model are
 * left out.
 */
export function rank(candidates: readonly Candidate[], sticky?: string): Candidate[] {
  const known = candidates.map((c) => c.paceMs).filter((p): p is number => p !== null);
  const typical = known.length ? known.reduce((a, b) => a + b, 0) / known.length : 1;
  const wait = (c: Candidate) => ((c.running + 1) * (c.paceMs ?? typical)) / c.weight;
  const order = candidates
    .filter((c) => c.holds !== false)
    .sort(
      (a, b) =>
        Number(b.healthy) - Number(a.healthy) ||
        Number(b.holds === true) - Number(a.holds === true) ||
        Number(b.loaded) - Number(a.loaded) ||
        wait(a) - wait(b) ||
        a.served / a.weight - b.served / b.weight,
    );
  const own = order.findIndex((c) => c.key === sticky && c.healthy);
  if (own > 0) order.unshift(...order.splice(own, 1));
  return order;
}
