import { z } from 'zod';
import { VegaError } from '../../src-shared/errors.js';
import type { ResourceManager } from '../engine/resource-manager.js';
import { joinUrl, parseJson, type Reply } from '../engine/outbound/index.js';
import { deadline, send, statusError, type ServiceInfo } from './http.js';
import { CallStats } from './stats.js';
import { defineTool } from './tool.js';
import type { Integration, ToolContext } from './types.js';

const SERVICE: ServiceInfo = { name: 'SearXNG', urlKey: 'SEARXNG_URL' };

export interface SearchResult {
  readonly title: string;
  readonly url: string;
  readonly snippet: string;
}

interface SearxngReply {
  results?: { title?: unknown; url?: unknown; content?: unknown }[];
  answers?: unknown[];
}

/** Web search through the person's SearXNG instance (`GET /search?q=…&format=json`). */
export function createWebSearch(
  rm: ResourceManager,
): Integration & { search(query: string, limit?: number, call?: Partial<ToolContext>): Promise<SearchResult[]> } {
  const stats = new CallStats('web-search');

  async function endpoint(path: string): Promise<URL> {
    const url = (await rm.config.get()).url('SEARXNG_URL');
    if (!url)
      throw new VegaError(
        'CONFIG_INVALID',
        'Web search is not set up: set SEARXNG_URL to a SearXNG instance (with the json format enabled) in Settings.',
      );
    return joinUrl(url, path);
  }

  function failure(reply: Reply): VegaError {
    // SearXNG answers 403 when the json output format is not enabled.
    if (reply.status === 403)
      return new VegaError('UNAUTHORIZED', 'SearXNG refused to answer in JSON (403): add "json" to search.formats in its settings.yml.');
    return statusError(SERVICE, reply, reply.text().slice(0, 200));
  }

  async function search(query: string, limit = 5, call: Partial<ToolContext> = {}): Promise<SearchResult[]> {
    const url = await endpoint('search');
    url.searchParams.set('q', query);
    url.searchParams.set('format', 'json');
    const reply = await send(rm, SERVICE, {
      url,
      signal: deadline(rm, call.signal),
      requestId: call.requestId,
      headers: { accept: 'application/json' },
    });
    stats.noteHttpStatus(reply.status);
    if (reply.status !== 200) throw failure(reply);
    const data = parseJson<SearxngReply>(reply, SERVICE);
    if (!Array.isArray(data.results)) throw new VegaError('PROVIDER_ERROR', 'SearXNG answered without a results list.');
    return data.results
      .filter((r) => typeof r.url === 'string')
      .slice(0, limit)
      .map((r) => ({
        title: str(r.title) || (r.url as string),
        url: r.url as string,
        snippet: str(r.content).replace(/\s+/g, ' ').trim().slice(0, 400),
      }));
  }

  const tool = defineTool({
    name: 'web_search',
    description: 'Search the web. Returns titles, URLs and snippets; read a result in full with fetch_text.',
    schema: z.object({
      query: z.string().min(1).max(500).describe('What to search for.'),
      limit: z.coerce.number().int().min(1).max(10).optional().describe('How many results (default 5).'),
    }),
    run: async ({ query, limit }, ctx) => {
      const results = await stats.track(() => search(query, limit ?? 5, ctx));
      if (results.length === 0) return `No results for "${query}".`;
      return results.map((r, i) => `${i + 1}. ${r.title}\n   ${r.url}${r.snippet ? `\n   ${r.snippet}` : ''}`).join('\n');
    },
  });

  return {
    id: 'web-search',
    tools: [tool],
    configured: async () => (await rm.config.get()).has('SEARXNG_URL'),
    probe: async (signal) => {
      const reply = await send(rm, SERVICE, { url: await endpoint('healthz'), signal });
      stats.noteHttpStatus(reply.status);
      if (reply.status !== 200) throw failure(reply);
    },
    stats: () => stats.snapshot(),
    search,
  };
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}
