/**
 * `path` under `base`, keeping base's path prefix: a server behind a reverse
 * proxy at https://host/ollama plus `api/chat` is https://host/ollama/api/chat,
 * where `new URL('api/chat', base)` would drop the last segment and a leading
 * slash would drop them all. Base's query and fragment are not carried over.
 */
export function joinUrl(base: URL, path: string): URL {
  const dir = new URL(base.href);
  if (!dir.pathname.endsWith('/')) dir.pathname += '/';
  dir.search = '';
  dir.hash = '';
  return new URL(path.replace(/^\/+/, ''), dir);
}

/** A base URL as messages show it: origin and path prefix, without credentials, query or trailing slash. */
export function shownUrl(url: URL): string {
  return url.origin + url.pathname.replace(/\/+$/, '');
}
