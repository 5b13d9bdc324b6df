import type { VegaErrorValue } from '../../src-shared/errors.js';

/** The host's error says what to do ("start it with 'ollama serve'"): show it as is. */
export function ErrorBanner({ error, onDismiss }: { error: VegaErrorValue; onDismiss: () => void }) {
  return (
    <div className="banner error" role="alert">
      <span className="banner-text">{error.message}</span>
      <button type="button" className="btn ghost small" onClick={onDismiss}>
        Dismiss
      </button>
    </div>
  );
}
