/**
 * The bench's local servers, in their own process so that they do not share
 * the measured process's event loop (a real LLM server is another process
 * too). Driven over the IPC channel by ./remote.ts. Listens on 127.0.0.1 only.
 *
 * Routes of every counting server:
 *   any        answers {"ok":true} after reading the body
 *   /hold?ms=  answers after a pause (forces one socket per concurrent request)
 *   /slow?ms=&n=  streams n chunks, one every ms (an LLM answer in flight)
 */
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startCountingServer, type CountingServer } from '../../tests/helpers/servers.js';
import { replyOf } from './reply.js';
import { markdownReplyOf } from './window-reply.js';
import { epochMs } from './stats.js';

export type Op =
  | { op: 'listen'; tls: boolean; count: number }
  | { op: 'counts'; ids: number[] }
  | { op: 'ollama'; tokens: number; tokenDelayMs?: number; markdown?: boolean }
  | { op: 'ollamaReply'; tokens: number; tokenDelayMs?: number; tokensPerSecond?: number; markdown?: boolean }
  | { op: 'tokenTimes' }
  | { op: 'ollamaPull'; lines: number; linesPerSecond: number }
  | { op: 'pullLinesWritten' }
  | { op: 'close' };

export interface Counts {
  readonly id: number;
  readonly accepted: number;
  readonly open: number;
  readonly peak: number;
}

interface Counted {
  accepted(): number;
  open(): number;
  peakOpen?: () => number;
  close(): Promise<void>;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const servers = new Map<number, Counted>();
let nextId = 1;
let recording: number[] = [];

const handler: http.RequestListener = (req, res) => {
  req.resume();
  req.on('end', () => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/hold') {
      const ms = Math.min(10_000, Number(url.searchParams.get('ms') ?? 100));
      const t = setTimeout(() => ok(res), ms);
      res.on('close', () => clearTimeout(t));
      return;
    }
    if (url.pathname === '/slow') {
      const ms = Math.min(10_000, Number(url.searchParams.get('ms') ?? 50));
      let left = Math.min(100_000, Number(url.searchParams.get('n') ?? 200));
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      const t = setInterval(() => {
        if (left-- <= 0) {
          clearInterval(t);
          res.end('{"done":true}\n');
          return;
        }
        res.write('{"message":{"content":" tok"},"done":false}\n');
      }, ms);
      res.on('close', () => clearInterval(t));
      return;
    }
    ok(res);
  });
};

function ok(res: http.ServerResponse): void {
  if (res.destroyed) return;
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': 11 });
  res.end('{"ok":true}');
}

// The stand-in writes each streamed token as one `res.write` of one NDJSON
// line; timestamp those writes (epoch ms, comparable with the bench process).
const originalWrite = http.ServerResponse.prototype.write;
http.ServerResponse.prototype.write = function (this: http.ServerResponse, chunk: unknown, ...rest: unknown[]): boolean {
  if (typeof chunk === 'string' && chunk.endsWith('"done":false}\n') && chunk.startsWith('{"model"') && recording.length < 1_000_000)
    recording.push(epochMs());
  return (originalWrite as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
} as typeof originalWrite;

type StandIn = { url: string; set(s: Record<string, unknown>): void; registry: { linesWritten: number } } & Counted;
let standIn: StandIn | undefined;

async function handle(msg: Op): Promise<unknown> {
  switch (msg.op) {
    case 'listen': {
      const tls = msg.tls
        ? { key: readFileSync(path.join(tlsDir(), 'key.pem'), 'utf8'), cert: readFileSync(path.join(tlsDir(), 'cert.pem'), 'utf8') }
        : undefined;
      const out: { id: number; url: string }[] = [];
      for (let i = 0; i < Math.min(msg.count, 200); i++) {
        const s: CountingServer = await startCountingServer(handler, tls);
        // Longer than the pool's 4 s idle bound: the client, not the server, ends idle sockets.
        s.server.keepAliveTimeout = 30_000;
        const id = nextId++;
        servers.set(id, s);
        out.push({ id, url: s.url });
      }
      return out;
    }
    case 'counts':
      return msg.ids.map((id): Counts => {
        const s = servers.get(id);
        return { id, accepted: s?.accepted() ?? -1, open: s?.open() ?? -1, peak: s?.peakOpen?.() ?? -1 };
      });
    case 'ollama': {
      const file = path.join(root, 'tests/helpers/ollama-standin.ts');
      if (!existsSync(file)) throw new Error('tests/helpers/ollama-standin.ts is missing');
      const mod = (await import(pathToFileURL(file).href)) as {
        startOllamaStandIn(o: { reply?: () => string; tokenDelayMs?: number }): Promise<StandIn>;
      };
      const text = msg.markdown ? markdownReplyOf(msg.tokens) : replyOf(msg.tokens);
      standIn = await mod.startOllamaStandIn({ reply: () => text, tokenDelayMs: msg.tokenDelayMs ?? 0 });
      const id = nextId++;
      servers.set(id, standIn);
      return { id, url: standIn.url };
    }
    case 'ollamaReply': {
      if (!standIn) throw new Error('no stand-in');
      const text = msg.markdown ? markdownReplyOf(msg.tokens) : replyOf(msg.tokens);
      standIn.set({ reply: () => text, tokenDelayMs: msg.tokenDelayMs ?? 0, tokensPerSecond: msg.tokensPerSecond ?? 0 });
      return true;
    }
    case 'ollamaPull': {
      if (!standIn) throw new Error('no stand-in');
      // One 10 GB layer in `lines` progress lines, paced at `linesPerSecond`.
      standIn.set({ pull: { layers: [10 * 1024 ** 3], steps: msg.lines, linesPerSecond: msg.linesPerSecond } });
      return true;
    }
    case 'pullLinesWritten':
      if (!standIn) throw new Error('no stand-in');
      return standIn.registry.linesWritten;
    case 'tokenTimes': {
      const t = recording;
      recording = [];
      return t;
    }
    case 'close':
      await Promise.all([...servers.values()].map((s) => s.close()));
      servers.clear();
      return true;
  }
}

function tlsDir(): string {
  const d = process.env.VEGA_BENCH_TLS_DIR;
  if (!d) throw new Error('VEGA_BENCH_TLS_DIR is not set');
  return d;
}

process.on('message', (m: { id: number } & Op) => {
  handle(m).then(
    (value) => process.send?.({ id: m.id, ok: true, value }),
    (err: unknown) => process.send?.({ id: m.id, ok: false, error: err instanceof Error ? err.message : String(err) }),
  );
  if (m.op === 'close') setTimeout(() => process.exit(0), 200).unref();
});
// The parent going away ends us too.
process.on('disconnect', () => process.exit(0));
process.send?.({ ready: true });
