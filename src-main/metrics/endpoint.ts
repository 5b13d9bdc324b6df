import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { Registry } from 'prom-client';
import type { VegaApp } from '../app/create-app.js';
import { createMetricsRegistry } from './registry.js';

/**
 * A collection costs ~2 ms of CPU (prom-client's process metrics are half of
 * it), so scrapes within this long of the last collection share its text:
 * Prometheus scrapes every few seconds, and a client polling far faster
 * (100 a second) still costs at most one collection a second.
 */
export const COLLECT_AT_MOST_EVERY_MS = 1_000;

interface Encoded {
  readonly plain: Buffer;
  /** Prometheus asks for gzip: compressed once per collection, a quarter of the bytes to write. */
  readonly gzip: Buffer;
}

interface Exposition {
  readonly registry: Registry;
  /** Encoded once per collection: a scrape in between writes these bytes as they are. */
  body: Promise<Encoded> | undefined;
  at: number;
}

const expositions = new WeakMap<VegaApp, Exposition>();

/** The app's one registry, made at the first scrape: the web host's route and the desktop endpoint share it. */
export function appRegistry(app: VegaApp): Registry {
  return exposition(app).registry;
}

function exposition(app: VegaApp): Exposition {
  let e = expositions.get(app);
  if (!e) {
    e = {
      registry: createMetricsRegistry({ rm: app.rm, integrations: () => app.integrations.stats(), mcp: () => app.mcp.snapshot() }),
      body: undefined,
      at: 0,
    };
    expositions.set(app, e);
  }
  return e;
}

/** GET /metrics: the Prometheus text format, collected now unless a collection under a second old can answer. */
export async function sendMetrics(app: VegaApp, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const e = exposition(app);
  const now = performance.now();
  if (!e.body || now - e.at >= COLLECT_AT_MOST_EVERY_MS) {
    const body = e.registry.metrics().then((text): Encoded => {
      const plain = Buffer.from(text);
      return { plain, gzip: gzipSync(plain) };
    });
    e.at = now;
    e.body = body;
    // A failed collection is not kept: the next scrape tries again.
    void body.catch(() => {
      if (e.body === body) e.body = undefined;
    });
  }
  const encoded = await e.body;
  const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  const body = gzip ? encoded.gzip : encoded.plain;
  res.writeHead(200, {
    'content-type': e.registry.contentType,
    'content-length': body.length,
    'cache-control': 'no-store',
    vary: 'accept-encoding',
    ...(gzip ? { 'content-encoding': 'gzip' } : {}),
  });
  res.end(body);
}
