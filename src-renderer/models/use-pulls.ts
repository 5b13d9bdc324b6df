import { useEffect, useMemo, useState } from 'react';
import type { VegaApi } from '../../src-shared/api.js';
import { pullFinished, type PullProgress } from '../../src-shared/models.js';

const RANK: Record<PullProgress['state'], number> = { pulling: 0, verifying: 0, queued: 1, done: 2, failed: 2, cancelled: 2 };

/** Running first, then waiting (in order), then finished, newest first: as main keeps them. */
function ordered(byName: ReadonlyMap<string, PullProgress>): readonly PullProgress[] {
  return [...byName.values()].sort(
    (a, b) =>
      RANK[a.state] - RANK[b.state] ||
      (pullFinished(a.state) ? b.updatedAt.localeCompare(a.updatedAt) : a.queuedAt.localeCompare(b.queuedAt)),
  );
}

/**
 * The pulls main holds, kept current by its pushed progress: asked once on
 * mount (a reloaded window finds its bars again), then only listened to.
 */
export function usePulls(api: VegaApi): readonly PullProgress[] {
  const [byName, setByName] = useState<ReadonlyMap<string, PullProgress>>(() => new Map());
  useEffect(() => {
    let live = true;
    // A state older than the one already shown (the answer to `pulls()` racing an event) is ignored.
    const merge = (list: readonly PullProgress[]) =>
      setByName((cur) => {
        const next = new Map(cur);
        for (const p of list) {
          const had = next.get(p.name);
          if (!had || had.queuedAt < p.queuedAt || (had.queuedAt === p.queuedAt && had.updatedAt <= p.updatedAt)) next.set(p.name, p);
        }
        return next;
      });
    const off = api.models.onProgress((p) => merge([p]));
    api.models.pulls().then(
      (list) => live && merge(list),
      () => undefined,
    );
    return () => {
      live = false;
      off();
    };
  }, [api]);
  return useMemo(() => ordered(byName), [byName]);
}
