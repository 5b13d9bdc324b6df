import { useCallback, useEffect, useRef } from 'react';

/**
 * `setTimeout` for a component: every timer still pending when it unmounts
 * is cleared, so none sets state on a component (or a window) that is gone.
 * A timer asked for after the unmount (at the end of an await) is not started.
 */
export function useTimeout(): (run: () => void, ms: number) => void {
  const pending = useRef(new Set<ReturnType<typeof setTimeout>>());
  // "Gone" rather than "mounted": a child's mount effect runs before this one and may already start a timer.
  const gone = useRef(false);
  useEffect(() => {
    const timers = pending.current;
    gone.current = false;
    return () => {
      gone.current = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
    };
  }, []);
  return useCallback((run, ms) => {
    if (gone.current) return;
    const t = setTimeout(() => {
      pending.current.delete(t);
      run();
    }, ms);
    pending.current.add(t);
  }, []);
}
