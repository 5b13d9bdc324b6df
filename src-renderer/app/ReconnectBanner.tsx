import { useConnectionStatus } from '../api/context.js';

/** The socket dropped after the app was shown: say so, keep the app. */
export function ReconnectBanner() {
  const status = useConnectionStatus();
  if (status !== 'reconnecting' && status !== 'connecting') return null;
  return (
    <div className="banner warn" role="status">
      Connection to Vega lost; reconnecting… If the server was restarted with a new key, open the address it printed.
    </div>
  );
}
