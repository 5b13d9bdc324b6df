import http from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';

/**
 * Servers that misbehave on purpose, on 127.0.0.1 only: a TCP proxy that
 * counts connections exactly (peaks included) and can cut them, and a small
 * Ollama-shaped HTTP server whose sockets die at chosen moments.
 */

export type Kill = 'fin' | 'reset';

function kill(socket: Socket, how: Kill): void {
  if (how === 'reset' && typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
}

// ---- TCP proxy --------------------------------------------------------------

export interface FaultProxy {
  readonly url: string;
  readonly port: number;
  /** Client connections accepted so far. */
  accepted(): number;
  open(): number;
  /** Most client connections open at the same time. */
  peak(): number;
  /** Reset every open connection (both sides), as a network failure would. */
  cutAll(): void;
  close(): Promise<void>;
}

/** A plain TCP relay to `target` (host:port on 127.0.0.1) that counts the connections it carries. */
export async function startFaultProxy(targetPort: number): Promise<FaultProxy> {
  const pairs = new Set<{ a: Socket; b: Socket }>();
  let accepted = 0;
  let peak = 0;
  const server = net.createServer((client) => {
    accepted++;
    const upstream = net.connect(targetPort, '127.0.0.1');
    const pair = { a: client, b: upstream };
    pairs.add(pair);
    peak = Math.max(peak, pairs.size);
    const end = () => {
      if (!pairs.delete(pair)) return;
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    accepted: () => accepted,
    open: () => pairs.size,
    peak: () => peak,
    cutAll: () => {
      for (const { a, b } of [...pairs]) {
        kill(a, 'reset');
        kill(b, 'reset');
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const { a, b } of pairs) {
          a.destroy();
          b.destroy();
        }
        server.close(() => resolve());
      }),
  };
}

// ---- a flaky Ollama-shaped server -----------------------------------------------

export interface FlakyArrival {
  readonly method: string;
  readonly path: string;
  /** 1 for the first request on its connection. */
  readonly onConnection: number;
  /** What the server did with it. */
  readonly fate: 'answered' | 'killed' | 'stalled' | 'cut-mid-body';
}

export interface FlakySettings {
  /** Kill any request that arrives on a connection which already served one (a server that dropped its idle sockets). */
  staleKeepAlive?: boolean;
  /** Kill the next N request arrivals before answering (a reset mid-request). */
  killNext?: number;
  /** Answer headers and the first body line, then kill (a reset mid-response). */
  cutMidBody?: boolean;
  /** Never answer (a slow or hung server). */
  stall?: boolean;
  /** How sockets are killed: FIN ("other side closed") or RST (ECONNRESET). */
  how?: Kill;
  /** Delay between streamed tokens, ms. */
  tokenDelayMs?: number;
}

export interface FlakyServer {
  readonly url: string;
  readonly arrivals: FlakyArrival[];
  accepted(): number;
  open(): number;
  peak(): number;
  set(s: FlakySettings): void;
  close(): Promise<void>;
}

/** The reply to a prompt, tokenised as the Ollama stand-in does ("You said: …"). */
export function flakyReply(prompt: string): string[] {
  return `You said: ${prompt}`.match(/\s*\S+|\s+$/gu) ?? [];
}

/**
 * GET /api/tags, GET /api/version and a streaming POST /api/chat, with faults
 * switched on by `set()`. Every answer advertises keep-alive, so the client
 * pools the socket and reuses it.
 */
export async function startFlakyServer(initial: FlakySettings = {}): Promise<FlakyServer> {
  let s: FlakySettings = { how: 'reset', ...initial };
  const arrivals: FlakyArrival[] = [];
  const perSocket = new WeakMap<Socket, number>();
  const sockets = new Set<Socket>();
  let accepted = 0;
  let peak = 0;
  const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    const socket = req.socket;
    const n = (perSocket.get(socket) ?? 0) + 1;
    perSocket.set(socket, n);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => {});
    res.on('error', () => {});
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const record = (fate: FlakyArrival['fate']) => arrivals.push({ method: req.method ?? 'GET', path, onConnection: n, fate });
      if ((s.staleKeepAlive && n > 1) || (s.killNext ?? 0) > 0) {
        if (!(s.staleKeepAlive && n > 1)) s = { ...s, killNext: (s.killNext ?? 0) - 1 };
        record('killed');
        kill(socket, s.how ?? 'reset');
        return;
      }
      if (s.stall) {
        record('stalled');
        return; // the socket dies with the client's timeout or the server's close
      }
      const keep = { 'keep-alive': 'timeout=60', connection: 'keep-alive' };
      if (req.method === 'GET' && (path === '/api/tags' || path === '/api/version')) {
        const body =
          path === '/api/tags'
            ? JSON.stringify({ models: [{ name: 'llama3.2:latest', size: 1, details: { family: 'llama' } }] })
            : '{"version":"0.6.8"}';
        if (s.cutMidBody) {
          record('cut-mid-body');
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length), ...keep });
          res.write(body.slice(0, 5));
          setTimeout(() => kill(socket, s.how ?? 'reset'), 10);
          return;
        }
        record('answered');
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...keep });
        res.end(body);
        return;
      }
      if (req.method === 'POST' && path === '/api/chat') {
        let prompt = '';
        try {
          const msgs =
            (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { messages?: { role: string; content: string }[] }).messages ?? [];
          prompt = [...msgs].reverse().find((m) => m.role === 'user')?.content ?? '';
        } catch {
          // an empty prompt then
        }
        const tokens = flakyReply(prompt);
        const line = (o: unknown) => `${JSON.stringify(o)}\n`;
        res.writeHead(200, { 'content-type': 'application/x-ndjson', ...keep });
        if (s.cutMidBody) {
          record('cut-mid-body');
          res.write(line({ model: 'llama3.2', message: { role: 'assistant', content: tokens[0] ?? 'x' }, done: false }));
          setTimeout(() => kill(socket, s.how ?? 'reset'), 20);
          return;
        }
        record('answered');
        void (async () => {
          for (const t of tokens) {
            if (res.destroyed) return;
            res.write(line({ model: 'llama3.2', message: { role: 'assistant', content: t }, done: false }));
            if (s.tokenDelayMs) await new Promise((r) => setTimeout(r, s.tokenDelayMs));
          }
          res.end(
            line({
              model: 'llama3.2',
              message: { role: 'assistant', content: '' },
              done: true,
              done_reason: 'stop',
              prompt_eval_count: 3,
              eval_count: tokens.length,
              eval_duration: 1_000_000,
            }),
          );
        })();
        return;
      }
      record('answered');
      res.writeHead(404, { 'content-type': 'text/plain', ...keep });
      res.end('404 page not found');
    });
  });
  server.on('connection', (socket: Socket) => {
    accepted++;
    sockets.add(socket);
    peak = Math.max(peak, sockets.size);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    arrivals,
    accepted: () => accepted,
    open: () => sockets.size,
    peak: () => peak,
    set: (next) => {
      s = { ...s, ...next };
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const sock of sockets) sock.destroy();
        server.close(() => resolve());
      }),
  };
}
