import type { VegaApi } from '../../src-shared/api.js';
import type { ConversationSummary } from '../../src-shared/chat.js';

type List = Promise<readonly ConversationSummary[]>;
const early = new WeakMap<VegaApi, List>();

/**
 * Ask for the conversation list as the window starts, before React renders:
 * the call waits in the socket's queue and leaves the moment it opens, so
 * its round trip overlaps the app's first render instead of following it.
 */
export function askListEarly(api: VegaApi): void {
  const list = api.chat.list({});
  // Nobody may take it (a refused key shows the sign-in card): not an unhandled rejection.
  list.catch(() => undefined);
  early.set(api, list);
}

/** The list asked for early, once; one that failed (a refused key, a dropped socket) is asked for again. */
export function takeEarlyList(api: VegaApi): List | undefined {
  const list = early.get(api);
  early.delete(api);
  return list?.catch(() => api.chat.list({}));
}
