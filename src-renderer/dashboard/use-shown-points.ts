import { useEffect, useRef, useState, type RefObject } from 'react';

/**
 * The points a chart card draws: the newest while the card is on screen,
 * the ones it last drew while it is scrolled out of view. A redraw is a
 * whole Recharts render, tens of ms per chart, and most of the dashboard's
 * cost with the tab open; a card nobody sees skips it and catches up as it
 * comes back into view. Without IntersectionObserver (tests) every card
 * counts as on screen.
 */
export function useShownPoints<T>(points: T): [RefObject<HTMLDivElement | null>, T] {
  const ref = useRef<HTMLDivElement>(null);
  const [onScreen, setOnScreen] = useState(true);
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof IntersectionObserver === 'undefined') return;
    const io = new IntersectionObserver((entries) => setOnScreen(entries[entries.length - 1]!.isIntersecting));
    io.observe(el);
    return () => io.disconnect();
  }, []);
  // Set while rendering, as React advises for state derived from a prop.
  const [drawn, setDrawn] = useState(points);
  if (onScreen && drawn !== points) setDrawn(points);
  return [ref, onScreen ? points : drawn];
}
