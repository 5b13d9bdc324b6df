/**
 * A list of model servers in one setting: `url[|weight=N]` items separated
 * by commas (`http://gpu-1:11434|weight=2,http://gpu-2:11434`). One URL
 * alone is the list of one, so the single-address form keeps working.
 * Shared so Settings checks a list the way main reads it.
 */
export interface EndpointEntry {
  readonly url: URL;
  /** How much of the traffic it takes when the others are as busy: 1 unless said. */
  readonly weight: number;
}

export const MAX_WEIGHT = 100;

/** The entries in order; throws an Error naming the bad item. `defaultScheme` accepts `host:port` (OLLAMA_HOST). */
export function parseEndpointList(raw: string, opts: { defaultScheme?: 'http' | 'https' } = {}): EndpointEntry[] {
  const out: EndpointEntry[] = [];
  for (const item of raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [address = '', ...options] = item.split('|').map((s) => s.trim());
    out.push({ url: parseUrl(address, opts.defaultScheme), weight: parseWeight(options, item) });
  }
  return out;
}

/** The list written back: the inverse of `parseEndpointList` (Settings' list editor saves through it). */
export function formatEndpointList(entries: readonly { readonly url: string; readonly weight: number }[]): string {
  return entries
    .filter((e) => e.url.trim())
    .map((e) => (e.weight === 1 ? e.url.trim() : `${e.url.trim()}|weight=${e.weight}`))
    .join(',');
}

function parseUrl(address: string, defaultScheme: 'http' | 'https' | undefined): URL {
  let raw = address;
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    if (!defaultScheme) throw new Error(`"${address}" is not a URL with a scheme, e.g. http://host:port`);
    raw = `${defaultScheme}://${raw}`;
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`"${address}" is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`"${address}" is not an http:// or https:// URL`);
  return url;
}

function parseWeight(options: readonly string[], item: string): number {
  let weight = 1;
  for (const o of options) {
    const m = /^weight\s*=\s*(\d+(?:\.\d+)?)$/i.exec(o);
    if (!m) throw new Error(`"${item}": "${o}" is not an option (weight=N is)`);
    weight = Number(m[1]);
    if (!(weight > 0 && weight <= MAX_WEIGHT)) throw new Error(`"${item}": the weight must be above 0 and at most ${MAX_WEIGHT}`);
  }
  return weight;
}
