/**
 * jsdom has no layout: every box measures 0×0, so a virtualised list would
 * show nothing. Give boxes a plausible size (the message scroller a window's
 * height, everything else a row's) so the virtualiser renders rows as in a
 * browser. Returns a function that restores the originals.
 */
export function fakeLayout(): () => void {
  const props = ['clientHeight', 'clientWidth', 'offsetHeight', 'offsetWidth'] as const;
  // Own descriptors only: clientHeight lives on Element.prototype and is restored by deleting the shadow.
  const originals = props.map((p) => [p, Object.getOwnPropertyDescriptor(HTMLElement.prototype, p)] as const);
  const size = (el: HTMLElement, p: (typeof props)[number]) => {
    if (p.endsWith('Width')) return 800;
    return el.classList.contains('messages') ? 900 : 100;
  };
  for (const p of props) {
    Object.defineProperty(HTMLElement.prototype, p, {
      configurable: true,
      get(this: HTMLElement) {
        return size(this, p);
      },
    });
  }
  return () => {
    for (const [p, d] of originals) {
      if (d) Object.defineProperty(HTMLElement.prototype, p, d);
      else delete (HTMLElement.prototype as unknown as Record<string, unknown>)[p];
    }
  };
}

/** Recharts sizes its charts with ResizeObserver, which jsdom lacks: a no-op one is enough. Returns a function that removes it. */
export function fakeResizeObserver(): () => void {
  const g = globalThis as unknown as { ResizeObserver?: unknown };
  if (g.ResizeObserver) return () => undefined;
  g.ResizeObserver = class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
  return () => void delete g.ResizeObserver;
}
