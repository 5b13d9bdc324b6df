import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { StandInModels, type PullSettings, type ShowSettings } from './ollama-models.js';

/** What Ollama says of every stand-in model (/api/tags and /api/show): a small llama. */
export const MODEL_DETAILS = {
  parent_model: '',
  format: 'gguf',
  family: 'llama',
  families: ['llama'],
  parameter_size: '3.2B',
  quantization_level: 'Q4_K_M',
} as const;

/**
 * A stand-in for Ollama's HTTP API on 127.0.0.1, faithful to the wire format
 * (NDJSON streaming, error bodies, nanosecond durations) so providers are
 * tested against real sockets. Faults are switched on with `set()`.
 */

export interface OllamaStandInOptions {
  models?: string[];
  reply?: (messages: { role: string; content: string }[], model: string) => string;
  tokenDelayMs?: number;
  /** Paced by the clock instead: token i is due i/rate s after the first; a late one goes at once, so a busy machine keeps the rate. */
  tokensPerSecond?: number;
  splitChunks?: boolean;
  port?: number;
  /** A loopback address other than 127.0.0.1 (all of 127.0.0.0/8 is this machine): several stand-ins as distinct origins. */
  host?: string;
}

export interface StandInRequest {
  method: string;
  path: string;
  body: unknown;
  /** Extra to the agreed shape: lets tests check x-request-id and Authorization. */
  headers?: http.IncomingHttpHeaders;
}

export type StandInSettings = Partial<OllamaStandInOptions> & {
  failNext?: { status: number; error: string };
  stallBeforeFirstToken?: boolean;
  stallAfterTokens?: number;
  toolCalls?: { name: string; arguments: Record<string, unknown> }[];
  /** How /api/pull streams (speed, layers, faults). */
  pull?: PullSettings;
  /** What /api/show says of a model's context. */
  show?: ShowSettings;
};

export interface OllamaStandIn {
  readonly url: string;
  readonly port: number;
  /** TCP connections accepted so far (over every start/stop). */
  accepted(): number;
  /** Connections open now. */
  open(): number;
  /** The most connections open at once so far. */
  peakOpen(): number;
  /** Streamed answers the client closed before their end (a Stop, an abort, a timeout). */
  hungUp(): number;
  requests: StandInRequest[];
  /** The model routes: pulls (and the bytes they kept), show, delete, load and unload. */
  readonly registry: StandInModels;
  /** "Ollama down": the listener closes and open sockets are destroyed. */
  stop(): Promise<void>;
  /** "Back up" on the same port. */
  start(): Promise<void>;
  close(): Promise<void>;
  set(opts: StandInSettings): void;
}

type ChatMsg = { role: string; content: string };

export const VERSION = '0.6.8';

/** The default answer: deterministic, and it names what it answers. */
export function defaultReply(messages: ChatMsg[]): string {
  const last = messages[messages.length - 1];
  if (last?.role === 'tool') return `Tool said: ${last.content}`;
  const user = [...messages].reverse().find((m) => m.role === 'user');
  return `You said: ${user?.content ?? ''}`;
}

/** The reply's words become tokens; joined back they give the reply exactly. */
export function tokenize(text: string): string[] {
  return text.match(/\s*\S+|\s+$/gu) ?? (text ? [text] : []);
}

/** Ollama names are `name:tag`; `llama3.2` means `llama3.2:latest`. */
export function fullName(model: string): string {
  return model.includes(':') ? model : `${model}:latest`;
}

/**
 * Cut a byte stream where a naive reader breaks: mid-line, mid-UTF-8
 * character, and never at a newline, so a piece holds the end of one line
 * and the start of the next.
 */
export function splitAwkwardly(bytes: Buffer): Buffer[] {
  const cuts = new Set<number>();
  let lineStart = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x0a) {
      cuts.add(lineStart + Math.floor((i - lineStart) / 2));
      lineStart = i + 1;
    } else if (b >= 0xc0) {
      cuts.add(i + 1); // after a multi-byte lead byte: inside the character
    }
  }
  cuts.delete(0);
  const sorted = [...cuts].filter((c) => c > 0 && c < bytes.length && bytes[c - 1] !== 0x0a).sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const c of sorted) {
    out.push(bytes.subarray(from, c));
    from = c;
  }
  out.push(bytes.subarray(from));
  return out.filter((p) => p.length > 0);
}

export interface CountingListener {
  readonly port: number;
  accepted(): number;
  open(): number;
  peakOpen(): number;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

/** node:http on 127.0.0.1 that counts sockets and can go down and come back on its port. */
export async function listenCounting(handler: http.RequestListener, port = 0, host = '127.0.0.1'): Promise<CountingListener> {
  const server = http.createServer(handler);
  const sockets = new Set<Socket>();
  let accepted = 0;
  let peak = 0;
  let closed = false;
  server.on('connection', (socket: Socket) => {
    accepted++;
    sockets.add(socket);
    peak = Math.max(peak, sockets.size);
    socket.on('close', () => sockets.delete(socket));
  });
  const listen = (p: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(p, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  await listen(port);
  const bound = (server.address() as AddressInfo).port;
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      if (!server.listening) return resolve();
      server.close(() => resolve());
    });
  return {
    port: bound,
    accepted: () => accepted,
    open: () => sockets.size,
    peakOpen: () => peak,
    stop,
    start: async () => {
      if (closed) throw new Error('stand-in is closed');
      if (!server.listening) await listen(bound);
    },
    close: async () => {
      closed = true;
      await stop();
    },
  };
}

export function readJson(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const text = Buffer.concat(parts).toString('utf8');
      if (!text) return resolve(undefined);
      try {
        resolve(JSON.parse(text));
      } catch {
        resolve(text);
      }
    });
    req.on('error', () => resolve(undefined));
  });
}

export function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Writes pieces with a delay between them; stops quietly when the client goes away. */
export class Writer {
  #gone = false;
  constructor(
    readonly res: http.ServerResponse,
    readonly delayMs: number,
  ) {
    res.on('close', () => (this.#gone = true));
  }
  get gone(): boolean {
    return this.#gone || this.res.destroyed;
  }
  async write(piece: string | Buffer): Promise<boolean> {
    if (this.gone) return false;
    this.res.write(piece);
    await (this.delayMs > 0 ? new Promise((r) => setTimeout(r, this.delayMs)) : new Promise((r) => setImmediate(r)));
    return !this.gone;
  }
  /** Hold the response open, writing nothing, until the client or the server drops it. */
  stall(): Promise<void> {
    return new Promise((resolve) => {
      if (this.gone) return resolve();
      this.res.on('close', () => resolve());
    });
  }
}

export async function startOllamaStandIn(opts: OllamaStandInOptions = {}): Promise<OllamaStandIn> {
  let o: Required<Omit<OllamaStandInOptions, 'port' | 'host'>> = {
    models: opts.models ?? ['llama3.2'],
    reply: opts.reply ?? defaultReply,
    tokenDelayMs: opts.tokenDelayMs ?? 0,
    tokensPerSecond: opts.tokensPerSecond ?? 0,
    splitChunks: opts.splitChunks ?? false,
  };
  let failNext: { status: number; error: string } | undefined;
  let stallBeforeFirstToken = false;
  let stallAfterTokens: number | undefined;
  let toolCalls: { name: string; arguments: Record<string, unknown> }[] | undefined;
  const loaded = new Map<string, number>();
  const requests: StandInRequest[] = [];
  let hungUp = 0;

  const installed = () => o.models.map(fullName);
  const registry = new StandInModels({
    installed: () => o.models,
    add: (name) => {
      if (!installed().includes(fullName(name))) o = { ...o, models: [...o.models, name] };
    },
    remove: (name) => {
      const kept = o.models.filter((m) => fullName(m) !== fullName(name));
      if (kept.length === o.models.length) return false;
      o = { ...o, models: kept };
      loaded.delete(fullName(name));
      return true;
    },
    loaded,
  });
  const modelEntry = (name: string) => ({
    name,
    model: name,
    modified_at: '2025-01-01T00:00:00Z',
    size: 2_019_393_189,
    digest: 'a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72',
    details: MODEL_DETAILS,
  });

  async function chat(body: Record<string, unknown>, res: http.ServerResponse): Promise<void> {
    const model = typeof body.model === 'string' ? body.model : '';
    if (!model) return sendJson(res, 400, { error: 'model is required' });
    if (!installed().includes(fullName(model))) return sendJson(res, 404, { error: `model "${model}" not found, try pulling it first` });
    const messages = (Array.isArray(body.messages) ? body.messages : []) as ChatMsg[];
    const stream = body.stream !== false;
    const started = process.hrtime.bigint();
    loaded.set(fullName(model), Date.now());
    const calls = Array.isArray(body.tools) && body.tools.length > 0 && toolCalls ? toolCalls : undefined;
    if (calls) toolCalls = undefined; // one answer calls the tools; the follow-up is text
    const text = calls ? '' : o.reply(messages, model);
    const tokens = tokenize(text);
    const at = () => new Date().toISOString();
    const promptTokens = messages.reduce((n, m) => n + tokenize(String(m.content ?? '')).length, 0) + 10;
    const final = () => {
      const total = Number(process.hrtime.bigint() - started);
      return {
        model,
        created_at: at(),
        message: { role: 'assistant', content: '' },
        done: true,
        done_reason: 'stop',
        total_duration: total + 1_000_000,
        load_duration: 1_000_000,
        prompt_eval_count: promptTokens,
        prompt_eval_duration: 2_000_000,
        eval_count: Math.max(1, tokens.length),
        // Never zero, so tokens/s is finite even for an instant reply.
        eval_duration: Math.max(total, 1_000_000),
      };
    };
    const toolMessage = calls && {
      role: 'assistant',
      content: '',
      tool_calls: calls.map((c) => ({ function: { name: c.name, arguments: c.arguments } })),
    };

    if (!stream) {
      if (stallBeforeFirstToken) return new Writer(res, 0).stall();
      const f = final();
      return sendJson(res, 200, { ...f, message: toolMessage ?? { role: 'assistant', content: text } });
    }
    const w = new Writer(res, o.tokensPerSecond > 0 ? 0 : o.tokenDelayMs);
    res.on('close', () => {
      if (!res.writableEnded) hungUp++;
    });
    if (stallBeforeFirstToken) return w.stall(); // as Ollama loading a model: no headers yet
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    const lines: string[] = [];
    if (toolMessage) lines.push(JSON.stringify({ model, created_at: at(), message: toolMessage, done: false }));
    for (const t of tokens)
      lines.push(JSON.stringify({ model, created_at: at(), message: { role: 'assistant', content: t }, done: false }));
    const stallAt = stallAfterTokens;
    if (o.splitChunks) {
      const head = stallAt === undefined ? lines : lines.slice(0, stallAt);
      const bytes = Buffer.from(head.map((l) => l + '\n').join('') + (stallAt === undefined ? JSON.stringify(final()) + '\n' : ''));
      for (const piece of splitAwkwardly(bytes)) if (!(await w.write(piece))) return;
      if (stallAt !== undefined) return w.stall();
      res.end();
      return;
    }
    const paceFrom = performance.now();
    for (let i = 0; i < lines.length; i++) {
      if (stallAt !== undefined && i >= stallAt) return w.stall();
      const wait = o.tokensPerSecond > 0 ? paceFrom + (i * 1000) / o.tokensPerSecond - performance.now() : 0;
      if (wait > 0) await new Promise((r) => setTimeout(r, Math.ceil(wait)));
      if (!(await w.write(lines[i] + '\n'))) return;
    }
    if (stallAt !== undefined && lines.length <= stallAt) return w.stall();
    if (!w.gone) res.end(JSON.stringify(final()) + '\n');
  }

  /** /api/embed: a small vector per input, made from its text, so equal texts get equal vectors. */
  function embed(body: Record<string, unknown>, res: http.ServerResponse): void {
    const model = typeof body.model === 'string' ? body.model : '';
    if (!installed().includes(fullName(model))) return sendJson(res, 404, { error: `model "${model}" not found, try pulling it first` });
    const input = typeof body.input === 'string' ? [body.input] : Array.isArray(body.input) ? (body.input as unknown[]).map(String) : [];
    const vector = (t: string) => [t.length, ...[...t.slice(0, 3).padEnd(3)].map((c) => c.charCodeAt(0) / 128)];
    const promptTokens = input.reduce((n, t) => n + tokenize(t).length, 0);
    sendJson(res, 200, { model, embeddings: input.map(vector), total_duration: 1_000_000, prompt_eval_count: promptTokens });
  }

  const handler: http.RequestListener = (req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const body = await readJson(req);
      requests.push({ method: req.method ?? 'GET', path: url.pathname, body, headers: req.headers });
      const route = `${req.method} ${url.pathname}`;
      if (route === 'POST /api/chat' && failNext) {
        const f = failNext;
        failNext = undefined;
        return sendJson(res, f.status, { error: f.error });
      }
      switch (route) {
        case 'POST /api/chat':
          if (!body || typeof body !== 'object') return sendJson(res, 400, { error: 'invalid request body' });
          return chat(body as Record<string, unknown>, res);
        case 'GET /api/tags':
          return sendJson(res, 200, { models: installed().map(modelEntry) });
        case 'GET /api/ps':
          return sendJson(res, 200, {
            models: [...loaded.keys()]
              .filter((n) => installed().includes(n))
              .map((n) => ({
                ...modelEntry(n),
                expires_at: new Date(loaded.get(n)! + 5 * 60_000).toISOString(),
                size_vram: 2_019_393_189,
              })),
          });
        case 'POST /api/pull':
          return registry.handlePull((body ?? {}) as Record<string, unknown>, res);
        case 'POST /api/show':
          return registry.handleShow((body ?? {}) as Record<string, unknown>, res);
        case 'DELETE /api/delete':
          return registry.handleDelete((body ?? {}) as Record<string, unknown>, res);
        case 'POST /api/generate':
          return registry.handleGenerate((body ?? {}) as Record<string, unknown>, res);
        case 'POST /api/embed':
          return embed((body ?? {}) as Record<string, unknown>, res);
        case 'GET /api/version':
          return sendJson(res, 200, { version: VERSION });
        case 'GET /':
        case 'HEAD /':
          res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
          return res.end('Ollama is running');
        default:
          res.writeHead(404, { 'content-type': 'text/plain' });
          return res.end('404 page not found');
      }
    })().catch(() => res.destroy());
  };

  const host = opts.host ?? '127.0.0.1';
  const l = await listenCounting(handler, opts.port ?? 0, host);
  return {
    url: `http://${host}:${l.port}`,
    port: l.port,
    accepted: l.accepted,
    open: l.open,
    peakOpen: l.peakOpen,
    hungUp: () => hungUp,
    requests,
    registry,
    stop: l.stop,
    start: l.start,
    close: l.close,
    set(s) {
      const {
        failNext: f,
        stallBeforeFirstToken: sb,
        stallAfterTokens: sa,
        toolCalls: tc,
        pull,
        show,
        port: _port,
        host: _host,
        ...rest
      } = s;
      if (pull) registry.pull = pull;
      if (show) registry.show = show;
      o = { ...o, ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) };
      if ('failNext' in s) failNext = f;
      if ('stallBeforeFirstToken' in s) stallBeforeFirstToken = sb ?? false;
      if ('stallAfterTokens' in s) stallAfterTokens = sa;
      if ('toolCalls' in s) toolCalls = tc;
    },
  };
}
