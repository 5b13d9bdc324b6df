/**
 * At most one `emit` per `everyMs`, and always one after the last poke: the
 * emit reads the latest state itself, so a burst of changes costs one call
 * and the final state is never lost. The timer is unref'd: a pending
 * progress event never holds the process open.
 */
export function throttle(everyMs: number, emit: () => void, now: () => number = Date.now): { poke(): void; cancel(): void } {
  let last = -Infinity;
  let timer: NodeJS.Timeout | undefined;
  const fire = (): void => {
    timer = undefined;
    last = now();
    emit();
  };
  return {
    poke() {
      if (timer) return;
      const wait = last + everyMs - now();
      if (wait <= 0) fire();
      else timer = setTimeout(fire, wait).unref();
    },
    cancel() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
