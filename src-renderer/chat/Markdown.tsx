import { lazy, memo, Suspense } from 'react';
import type { MarkdownBody as Body } from './MarkdownBody.js';

// The Markdown stack and highlight.js are most of the chat's weight: they are
// fetched after the first paint, and an answer shows as plain text until then.
let loaded: typeof Body | undefined;
let loading: Promise<typeof import('./MarkdownBody.js')> | undefined;

const load = () =>
  (loading ??= import('./MarkdownBody.js').then((m) => {
    loaded = m.MarkdownBody;
    return m;
  }));

/** Fetch the Markdown renderer (once); answers drawn after it arrives render at once, without a fallback. */
export function preloadMarkdown(): Promise<typeof Body> {
  return load().then((m) => m.MarkdownBody);
}

const LazyBody = lazy(() => preloadMarkdown().then((body) => ({ default: body })));

/** After the page has loaded and settled, so the fetch never competes with the first screen; the first answer rarely waits for it. */
const WARM_AFTER_LOAD_MS = 1000;

if (typeof window !== 'undefined') {
  const idle = (f: () => void) => {
    if (typeof window.requestIdleCallback === 'function') window.requestIdleCallback(f, { timeout: WARM_AFTER_LOAD_MS });
    else f();
  };
  const warm = () => void load().then((m) => idle(m.warmMarkdown));
  window.addEventListener('load', () => window.setTimeout(() => idle(warm), WARM_AFTER_LOAD_MS), { once: true });
}

/** Memoised on the text: while one message streams, the others do not re-render. */
export const Markdown = memo(function Markdown({ text }: { text: string }) {
  const Loaded = loaded;
  if (Loaded) return <Loaded text={text} />;
  return (
    <Suspense
      fallback={
        <div className="md md-loading">
          <p style={{ whiteSpace: 'pre-wrap' }}>{text}</p>
        </div>
      }
    >
      <LazyBody text={text} />
    </Suspense>
  );
});
