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
  return items(raw).map(([address, options]) => ({ url: parseUrl(address, opts.defaultScheme), weight: parseWeight(options, address) }));
}

/** The list as typed, item by item, without judging it: what Settings' list editor shows while it is being edited. */
export function splitEndpointList(raw: string): { url: string; weight: string }[] {
  return items(raw).map(([url, options]) => ({
    url,
    weight: options.map((o) => /^weight\s*=\s*(.*)$/i.exec(o)?.[1]).find((w) => w !== undefined) ?? '1',
  }));
}

/** The list written back from its rows: empty addresses are dropped, weight 1 is left unsaid. */
export function formatEndpointList(rows: readonly { readonly url: string; readonly weight: string | number }[]): string {
  return rows
    .filter((r) => r.url.trim())
    .map((r) => {
      const weight = String(r.weight).trim();
      return weight === '' || weight === '1' ? r.url.trim() : `${r.url.trim()}|weight=${weight}`;
    })
    .join(',');
}

/** Each item's address and its `|option`s, trimmed. */
function items(raw: string): [string, string[]][] {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((item) => {
      const [address = '', ...options] = item.split('|').map((s) => s.trim());
      return [address, options];
    });
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
