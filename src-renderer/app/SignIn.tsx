import { useState, type FormEvent } from 'react';

/** Shown instead of the app when the web host refuses the key (or there is none). */
export function SignIn({ onKey }: { onKey?: ((key: string) => void) | undefined }) {
  const [key, setKey] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const k = key.trim();
    if (k && onKey) onKey(k);
  };
  return (
    <main className="signin">
      <form className="signin-card" onSubmit={submit} aria-labelledby="signin-title">
        <div className="brand-mark" aria-hidden="true" />
        <h1 id="signin-title">Sign in to Vega</h1>
        <p>
          Open the address printed by <code>npm run serve</code>, or paste the key.
        </p>
        {onKey && (
          <>
            <label htmlFor="signin-key">Key</label>
            <div className="signin-row">
              <input
                id="signin-key"
                type="password"
                autoComplete="off"
                spellCheck={false}
                value={key}
                onChange={(e) => setKey(e.target.value)}
                // eslint-disable-next-line jsx-a11y/no-autofocus -- the sign-in screen's one field: the key is all there is to type
                autoFocus
              />
              <button type="submit" className="btn primary" disabled={!key.trim()}>
                Sign in
              </button>
            </div>
          </>
        )}
        <p className="muted small">The key stays in this tab only and is removed from the address bar.</p>
      </form>
    </main>
  );
}
