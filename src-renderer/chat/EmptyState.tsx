const SUGGESTIONS = [
  'Explain what a connection pool is, with a small example',
  'Write a TypeScript function that debounces another function',
  'Summarise the trade-offs of HTTP/2 over HTTP/1.1',
];

/** A new chat: a greeting and a few starting points. */
export function EmptyState({ onPick }: { onPick: (text: string) => void }) {
  return (
    <div className="empty-state">
      <div className="brand-mark large" aria-hidden="true" />
      <h2>How can I help?</h2>
      <p className="muted">Vega runs on your own models. Ask anything, or start from one of these:</p>
      <div className="suggestions">
        {SUGGESTIONS.map((s) => (
          <button key={s} type="button" className="suggestion" onClick={() => onPick(s)}>
            {s}
          </button>
        ))}
      </div>
    </div>
  );
}
