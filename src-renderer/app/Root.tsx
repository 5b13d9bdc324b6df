import { useState } from 'react';
import type { Connection } from '../api/connection.js';
import { ApiProvider, useConnectionStatus } from '../api/context.js';
import { App } from './App.js';
import { ErrorBoundary } from './ErrorBoundary.js';
import { SignIn } from './SignIn.js';
import { ToastProvider } from './Toasts.js';

/**
 * What the window shows before the app: a splash while the first connection
 * opens, the sign-in card when the key is refused. Once the app has been
 * shown it stays mounted through reconnects (a banner says so), so a dropped
 * socket never loses the conversation on screen.
 */
export function Root({ connection }: { connection: Connection }) {
  const status = useConnectionStatus(connection);
  const [shown, setShown] = useState(false);
  // Remembered from earlier renders (React's "adjust state while rendering").
  if (status === 'open' && !shown) setShown(true);

  let body;
  if (status === 'unauthorized') body = <SignIn onKey={connection.signIn} />;
  else if (!shown && status !== 'open') body = <Splash />;
  else body = <App />;

  return (
    <ErrorBoundary>
      <ApiProvider connection={connection}>
        <ToastProvider>{body}</ToastProvider>
      </ApiProvider>
    </ErrorBoundary>
  );
}

function Splash() {
  return (
    <main className="splash" aria-busy="true">
      <div className="brand-mark" aria-hidden="true" />
      <p>Connecting to Vega…</p>
    </main>
  );
}
