import { useSyncExternalStore } from 'react';

const QUERY = '(prefers-color-scheme: dark)';

function subscribe(cb: () => void): () => void {
  if (typeof window.matchMedia !== 'function') return () => undefined;
  const mq = window.matchMedia(QUERY);
  mq.addEventListener('change', cb);
  return () => mq.removeEventListener('change', cb);
}

function get(): boolean {
  return typeof window.matchMedia === 'function' && window.matchMedia(QUERY).matches;
}

/**
 * The OS theme, for the few things CSS variables cannot reach (SVG
 * presentation attributes in charts take plain colours).
 */
export function usePrefersDark(): boolean {
  return useSyncExternalStore(subscribe, get, () => false);
}
