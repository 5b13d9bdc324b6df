import { parseEndpointList } from '../../../src-shared/endpoint-list.js';
import type { Config } from '../../engine/config.js';

/** One model server of a list: where it is, its share, and its own API key if it has one. */
export interface Endpoint {
  readonly url: URL;
  readonly weight: number;
  readonly key?: string;
}

export type EndpointListKey = 'OLLAMA_HOST' | 'OPENAI_BASE_URL';

/**
 * The servers a list setting names, in order; [] when it is unset. A bad
 * item is CONFIG_INVALID naming the key, the file and the item. Keys for
 * OpenAI-compatible servers come from OPENAI_API_KEYS by position, else
 * OPENAI_API_KEY.
 */
export function endpointList(config: Config, key: EndpointListKey): Endpoint[] {
  const raw = config.string(key);
  let entries;
  try {
    entries = parseEndpointList(raw, key === 'OLLAMA_HOST' ? { defaultScheme: 'http' } : {});
  } catch (err) {
    throw config.invalid(key, raw, `a list of server URLs: ${(err as Error).message}`);
  }
  if (key !== 'OPENAI_BASE_URL') return entries;
  const shared = config.string('OPENAI_API_KEY');
  const own = config
    .string('OPENAI_API_KEYS')
    .split(',')
    .map((k) => k.trim());
  return entries.map((e, i) => {
    const apiKey = own[i] || shared;
    return apiKey ? { ...e, key: apiKey } : e;
  });
}
