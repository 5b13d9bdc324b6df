/**
 * The web host's key travels once in the address (`/?token=…`, printed by
 * `npm run serve`). It is moved into sessionStorage at load and removed from
 * the address bar, so it does not end up in history, bookmarks or screenshots.
 */
const STORAGE_KEY = 'vega.token';

export function takeTokenFromLocation(
  loc: Location = window.location,
  hist: History = window.history,
  store: Storage | null = safeSessionStorage(),
): string | null {
  const url = new URL(loc.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl !== null) {
    url.searchParams.delete('token');
    hist.replaceState(hist.state, '', url.pathname + url.search + url.hash);
    if (fromUrl) saveToken(fromUrl, store);
    return fromUrl || null;
  }
  return readToken(store);
}

export function saveToken(token: string, store: Storage | null = safeSessionStorage()): void {
  try {
    store?.setItem(STORAGE_KEY, token);
  } catch {
    // Storage can be disabled (privacy modes); the key then lasts for this page only.
  }
}

export function readToken(store: Storage | null = safeSessionStorage()): string | null {
  try {
    return store?.getItem(STORAGE_KEY) || null;
  } catch {
    return null;
  }
}

function safeSessionStorage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}
