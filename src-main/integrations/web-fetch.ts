import type { Dispatcher } from 'undici';
import { convert } from 'html-to-text';
import { z } from 'zod';
import { VegaError } from '../../src-shared/errors.js';
import type { ResourceManager } from '../engine/resource-manager.js';
import { checkedAddresses, systemResolver, type Resolver } from './address-guard.js';
import { discard, drain, header, readReply } from '../engine/outbound/index.js';
import { deadline, open, peerOf, statusError, type ServiceInfo } from './http.js';
import { CallStats } from './stats.js';
import { defineTool } from './tool.js';
import type { Integration, ToolContext } from './types.js';

export const FETCH_BODY_LIMIT = 2 * 1024 * 1024;
export const MAX_REDIRECTS = 5;
/** What goes back to the model: a page's text, not a book (local models have small contexts). */
export const MAX_TEXT_CHARS = 20_000;
const TEXT_TYPES = new Set(['text/html', 'text/plain', 'application/json']);
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Addresses tried per hop when one is unreachable (a host with both IPv4 and IPv6). */
const MAX_ADDRESSES = 3;

export interface WebFetchOptions {
  /** Name resolution; tests pass a table so no real DNS (and no real address) is ever used. */
  readonly resolver?: Resolver;
}

export interface FetchedPage {
  readonly url: string;
  readonly contentType: string;
  readonly title: string | null;
  readonly text: string;
}

/**
 * Web fetch: reads a public page for the model. Every hop is resolved,
 * checked against the address guard, and connected to by the checked
 * address itself (the name travels in the Host header and as the TLS
 * server name), so a DNS answer that changes between check and connect is
 * never used. All on the engine's pooled client.
 */
export function createWebFetch(
  rm: ResourceManager,
  opts: WebFetchOptions = {},
): Integration & { fetchText(url: string, call?: Partial<ToolContext>): Promise<FetchedPage> } {
  const stats = new CallStats('web-fetch');
  const resolver = opts.resolver ?? systemResolver;

  async function openPinned(
    url: URL,
    allowHosts: readonly string[],
    signal: AbortSignal,
    requestId?: string,
  ): Promise<Dispatcher.ResponseData> {
    const service: ServiceInfo = { name: url.host };
    const addresses = await checkedAddresses(url, resolver, allowHosts);
    let unreachable: unknown;
    for (const address of addresses.slice(0, MAX_ADDRESSES)) {
      const target = new URL(url.href);
      target.hostname = address.includes(':') ? `[${address}]` : address;
      target.username = '';
      target.password = '';
      try {
        const res = await open(rm, service, {
          url: target,
          signal,
          requestId,
          sendRequestId: false,
          headers: {
            host: url.host,
            'user-agent': 'Vega/0.1 (desktop assistant; web fetch)',
            accept: 'text/html, text/plain;q=0.9, application/json;q=0.8',
          },
        });
        stats.noteHttpStatus(res.statusCode);
        return res;
      } catch (err) {
        if (err instanceof VegaError && err.code === 'PROVIDER_UNREACHABLE') {
          unreachable = err;
          continue;
        }
        throw err;
      }
    }
    throw unreachable;
  }

  async function fetchText(raw: string, call: Partial<ToolContext> = {}): Promise<FetchedPage> {
    let url = parseTarget(raw);
    const allowHosts = (await rm.config.get()).list('VEGA_FETCH_ALLOW_HOSTS');
    const sig = deadline(rm, call.signal);
    for (let hop = 0; ; hop++) {
      const res = await openPinned(url, allowHosts, sig, call.requestId);
      if (REDIRECTS.has(res.statusCode)) {
        const location = header(res.headers, 'location');
        await drain(res.body);
        if (!location) throw new VegaError('PROVIDER_ERROR', `${url.href} redirected (HTTP ${res.statusCode}) without saying where to.`);
        if (hop >= MAX_REDIRECTS)
          throw new VegaError(
            'PROVIDER_ERROR',
            `${parseTarget(raw).href} redirected more than ${MAX_REDIRECTS} times; Vega stopped following.`,
          );
        url = parseTarget(new URL(location, url).href);
        continue;
      }
      if (res.statusCode < 200 || res.statusCode >= 300) {
        discard(res.body);
        throw pageStatusError(url, res);
      }
      const type = (header(res.headers, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      if (!TEXT_TYPES.has(type)) {
        discard(res.body);
        throw new VegaError(
          'BAD_REQUEST',
          `${url.href} is ${type ? `"${type}"` : 'of no stated type'}, not text: web fetch reads HTML, plain text and JSON only.`,
        );
      }
      const { body } = await readReply(res, peerOf(rm, { name: url.host }, url), { maxBytes: FETCH_BODY_LIMIT, signal: sig });
      const decoded = decode(body, header(res.headers, 'content-type') ?? '', type);
      return { url: url.href, contentType: type, ...toText(decoded, type) };
    }
  }

  const tool = defineTool({
    name: 'fetch_text',
    description:
      'Read a public web page or JSON document (http/https) and return its title and readable text. ' +
      'Use it for a URL the user gives or one found with web_search. Private and local addresses are refused.',
    schema: z.object({ url: z.string().min(1).max(2048).describe('The http:// or https:// address to read.') }),
    // Reading a URL sends it: its path and query can carry what the model learnt.
    sendsTo: ({ url }) => url,
    run: async ({ url }, ctx) => {
      const page = await stats.track(() => fetchText(url, ctx));
      return formatPage(page);
    },
  });

  return {
    id: 'web-fetch',
    tools: [tool],
    // Always usable, and nothing to probe: it reaches whatever page it is given.
    configured: async () => true,
    stats: () => stats.snapshot(),
    fetchText,
  };
}

/** Parse and vet a URL the model gave: http(s) only, no credentials passed on. */
export function parseTarget(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new VegaError('BAD_REQUEST', `"${raw.slice(0, 200)}" is not a URL web fetch can read; give a full http:// or https:// address.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new VegaError('BAD_REQUEST', `Web fetch reads http:// and https:// pages only, not ${url.protocol} addresses.`);
  }
  url.hash = '';
  return url;
}

function pageStatusError(url: URL, res: Dispatcher.ResponseData): VegaError {
  const s = res.statusCode;
  if (s === 404 || s === 410) return new VegaError('NOT_FOUND', `There is no page at ${url.href} (HTTP ${s}).`);
  if (s === 401 || s === 403)
    return new VegaError('UNAUTHORIZED', `${url.host} refused to show ${url.href} (HTTP ${s}); it may need a sign-in.`);
  return statusError({ name: url.host }, { status: s, headers: res.headers });
}

function decode(body: Buffer, contentType: string, type: string): string {
  let charset = /charset\s*=\s*"?([\w.:-]+)/i.exec(contentType)?.[1];
  if (!charset && type === 'text/html') {
    // A page may name its charset only in a <meta> near the top.
    charset = /<meta[^>]+charset\s*=\s*["']?([\w.:-]+)/i.exec(body.subarray(0, 2048).toString('latin1'))?.[1];
  }
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(body);
  } catch {
    return new TextDecoder('utf-8').decode(body);
  }
}

const HEADINGS = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((h) => ({ selector: h, options: { uppercase: false } }));

function toText(text: string, type: string): { title: string | null; text: string } {
  if (type === 'application/json') {
    try {
      return { title: null, text: JSON.stringify(JSON.parse(text), null, 2) };
    } catch {
      return { title: null, text };
    }
  }
  if (type !== 'text/html') return { title: null, text };
  const rawTitle = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(text)?.[1];
  const title = rawTitle ? convert(rawTitle, { wordwrap: false }).replace(/\s+/g, ' ').trim() || null : null;
  const readable = convert(text, {
    wordwrap: false,
    selectors: [
      { selector: 'a', options: { ignoreHref: true } },
      { selector: 'img', format: 'skip' },
      { selector: 'nav', format: 'skip' },
      { selector: 'footer', format: 'skip' },
      ...HEADINGS,
    ],
  });
  return { title, text: readable.replace(/\n{3,}/g, '\n\n').trim() };
}

export function formatPage(page: FetchedPage): string {
  const head = [page.title ? `Title: ${page.title}` : null, `URL: ${page.url}`].filter(Boolean).join('\n');
  const cut = page.text.length > MAX_TEXT_CHARS;
  const body = cut ? `${page.text.slice(0, MAX_TEXT_CHARS)}\n[cut: ${page.text.length - MAX_TEXT_CHARS} more characters]` : page.text;
  return `${head}\n\n${body || '(the page has no text)'}`;
}
