import { createContext, useContext } from 'react';

/** How a view opens another: a request id seen anywhere leads to its log lines. */
export interface Navigation {
  /** Show the Logs view filtered by this request id (all levels). */
  // A function, not a method: views hand it on as a callback.
  readonly openLogs: (requestId: string) => void;
}

export const NavigationContext = createContext<Navigation | null>(null);

/** Null outside the app shell (a view rendered on its own): request ids are then shown, not linked. */
export function useNavigation(): Navigation | null {
  return useContext(NavigationContext);
}
