import type { Transport, Unsubscribe } from '../../src-shared/api.js';
import type { CallName, Envelope, EventName, EventPayloads } from '../../src-shared/contract.js';
import { isErrorCode, type ErrorCode } from '../../src-shared/errors.js';
import { UPLOAD_MAX_MB_CAP } from '../../src-shared/attachment-limits.js';
import { attachmentFrameBytes, LARGE_FRAME_CHANNEL, MAX_FRAME_BYTES } from '../../src-shared/limits.js';

/**
 * The contract over one WebSocket (the web host): `{id, channel, params, requestId?}` out,
 * `{id, ok, value|error}` and `{event, payload}` back. Server-side
 * subscription is implicit (every socket gets every event), so listeners are
 * kept here and simply survive reconnects.
 */

export type ConnectionStatus = 'connecting' | 'open' | 'reconnecting' | 'unauthorized';

/** The subset of the DOM WebSocket we use, so tests can hand in a fake. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: Event) => void) | null;
  onmessage: ((ev: MessageEvent) => void) | null;
  onclose: ((ev: CloseEvent) => void) | null;
  onerror: ((ev: Event) => void) | null;
}
export type SocketFactory = (url: string) => SocketLike;

export interface WsTransportOptions {
  /** Builds the socket address for a key. */
  readonly url: (token: string) => string;
  readonly token: string | null;
  readonly socket?: SocketFactory;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
}

/** Close code the host uses for "wrong or missing key" after the upgrade. */
export const CLOSE_UNAUTHORIZED = 4401;
const OPEN = 1;

type Pending = (env: Envelope<unknown>) => void;

const FILE_FRAME_BYTES = attachmentFrameBytes(UPLOAD_MAX_MB_CAP * 1024 * 1024);
type Listener = (payload: never) => void;

function failure(code: ErrorCode, message: string, details?: unknown): Envelope<unknown> {
  // Plain data only (the models that can see, a token count): anything else is dropped, not passed on.
  const plain = typeof details === 'object' && details !== null && !Array.isArray(details);
  return { ok: false, error: plain ? { code, message, details: details as Record<string, unknown> } : { code, message } };
}

export class WsTransport implements Transport {
  readonly #opts: WsTransportOptions;
  readonly #socketFactory: SocketFactory;
  #token: string | null;
  #ws: SocketLike | null = null;
  #status: ConnectionStatus = 'connecting';
  #nextId = 1;
  /** Sent, waiting for their reply. */
  readonly #inFlight = new Map<number, Pending>();
  /** Made while not connected; sent on open. */
  #queue: { frame: string; id: number; done: Pending }[] = [];
  readonly #listeners = new Map<EventName, Set<Listener>>();
  readonly #statusListeners = new Set<(s: ConnectionStatus) => void>();
  #everOpened = false;
  #failedBeforeOpen = 0;
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #closed = false;

  constructor(opts: WsTransportOptions) {
    this.#opts = opts;
    this.#token = opts.token;
    this.#socketFactory = opts.socket ?? ((url) => new WebSocket(url));
    this.#connect();
  }

  get status(): ConnectionStatus {
    return this.#status;
  }

  onStatus(cb: (s: ConnectionStatus) => void): Unsubscribe {
    this.#statusListeners.add(cb);
    return () => this.#statusListeners.delete(cb);
  }

  /** Try again with another key (the sign-in screen). */
  signIn(token: string): void {
    this.#token = token;
    this.#failedBeforeOpen = 0;
    this.#attempt = 0;
    this.#everOpened = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const old = this.#ws;
    this.#ws = null;
    old?.close(1000, 'new key');
    this.#setStatus('connecting');
    this.#connect();
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    const ws = this.#ws;
    this.#ws = null;
    ws?.close(1000, 'closed');
    this.#failAll(failure('INTERNAL', 'The connection to Vega was closed.'));
  }

  invoke(channel: CallName, params: unknown, requestId?: string): Promise<Envelope<unknown>> {
    if (this.#status === 'unauthorized')
      return Promise.resolve(
        failure('UNAUTHORIZED', 'Not signed in to Vega: open the address printed by `npm run serve`, or paste the key.'),
      );
    if (this.#closed) return Promise.resolve(failure('INTERNAL', 'The connection to Vega was closed.'));
    const id = this.#nextId++;
    const frame = JSON.stringify({ id, channel, params: params ?? {}, ...(requestId ? { requestId } : {}) });
    // Measured in UTF-16 units, an upper bound's cheap stand-in for bytes. A file goes whole in its
    // frame (base64 is ASCII); the host holds it to VEGA_UPLOAD_MAX_MB and says so by name.
    const max = channel === LARGE_FRAME_CHANNEL ? FILE_FRAME_BYTES : MAX_FRAME_BYTES;
    if (frame.length * 3 > max && new TextEncoder().encode(frame).length > max) {
      return Promise.resolve(failure('PAYLOAD_TOO_LARGE', 'That is too large to send to Vega in one message.'));
    }
    return new Promise((done) => {
      if (this.#ws && this.#status === 'open' && this.#ws.readyState === OPEN) this.#send(id, frame, done);
      else this.#queue.push({ frame, id, done });
    });
  }

  subscribe<E extends EventName>(event: E, cb: (payload: EventPayloads[E]) => void): Unsubscribe {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    const l = cb as Listener;
    set.add(l);
    return () => set.delete(l);
  }

  #send(id: number, frame: string, done: Pending): void {
    this.#inFlight.set(id, done);
    try {
      this.#ws?.send(frame);
    } catch {
      this.#inFlight.delete(id);
      done(failure('INTERNAL', 'Could not send to Vega: the connection dropped. Try again in a moment.'));
    }
  }

  #connect(): void {
    if (this.#closed) return;
    const token = this.#token;
    if (!token) {
      this.#toUnauthorized();
      return;
    }
    let opened = false;
    let ws: SocketLike;
    try {
      ws = this.#socketFactory(this.#opts.url(token));
    } catch {
      this.#scheduleReconnect();
      return;
    }
    this.#ws = ws;
    ws.onopen = () => {
      if (this.#ws !== ws) return;
      opened = true;
      this.#everOpened = true;
      this.#failedBeforeOpen = 0;
      this.#attempt = 0;
      this.#setStatus('open');
      const queued = this.#queue;
      this.#queue = [];
      for (const q of queued) this.#send(q.id, q.frame, q.done);
    };
    ws.onmessage = (ev) => {
      if (this.#ws === ws) this.#receive(ev.data);
    };
    ws.onerror = () => {
      // A close event always follows; that is where we decide what to do.
    };
    ws.onclose = (ev) => {
      if (this.#ws !== ws) return;
      this.#ws = null;
      this.#failInFlight();
      if (this.#closed) return;
      if (ev.code === CLOSE_UNAUTHORIZED) {
        this.#toUnauthorized();
        return;
      }
      // A browser cannot read the HTTP status of a refused upgrade: a 401
      // looks like any failed connection (code 1006, never opened). The page
      // itself was just served by this host, so if the very first socket
      // cannot open twice in a row, the key is what is wrong.
      if (!opened && !this.#everOpened && ++this.#failedBeforeOpen >= 2) {
        this.#toUnauthorized();
        return;
      }
      this.#scheduleReconnect();
    };
  }

  #scheduleReconnect(): void {
    if (this.#closed) return;
    this.#setStatus(this.#everOpened ? 'reconnecting' : 'connecting');
    const base = this.#opts.baseDelayMs ?? 250;
    const max = this.#opts.maxDelayMs ?? 10_000;
    // Exponential with jitter so many windows do not reconnect in lockstep.
    const delay = Math.min(max, base * 2 ** this.#attempt) * (0.75 + Math.random() * 0.5);
    this.#attempt = Math.min(this.#attempt + 1, 16);
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#connect();
    }, delay);
  }

  #toUnauthorized(): void {
    this.#setStatus('unauthorized');
    const queued = this.#queue;
    this.#queue = [];
    for (const q of queued)
      q.done(failure('UNAUTHORIZED', 'Not signed in to Vega: open the address printed by `npm run serve`, or paste the key.'));
  }

  #receive(data: unknown): void {
    if (typeof data !== 'string') return;
    let frame: unknown;
    try {
      frame = JSON.parse(data);
    } catch {
      return;
    }
    if (!frame || typeof frame !== 'object') return;
    const f = frame as Record<string, unknown>;
    if (typeof f.id === 'number') {
      const done = this.#inFlight.get(f.id);
      if (!done) return;
      this.#inFlight.delete(f.id);
      if (f.ok === true) done({ ok: true, value: f.value });
      else {
        const e = (f.error ?? {}) as { code?: unknown; message?: unknown; details?: unknown };
        const message = typeof e.message === 'string' ? e.message : 'Vega refused the request.';
        done(failure(isErrorCode(e.code) ? e.code : 'INTERNAL', message, e.details));
      }
      return;
    }
    if (typeof f.event === 'string') {
      const set = this.#listeners.get(f.event as EventName);
      if (!set) return;
      for (const l of set) {
        try {
          (l as (p: unknown) => void)(f.payload);
        } catch (err) {
          // One broken listener must not starve the others of events.
          console.error(err);
        }
      }
    }
  }

  #failInFlight(): void {
    const pending = [...this.#inFlight.values()];
    this.#inFlight.clear();
    for (const done of pending)
      done(failure('INTERNAL', 'The connection to Vega dropped before it answered; reconnecting. Try again in a moment.'));
  }

  #failAll(env: Envelope<unknown>): void {
    this.#failInFlight();
    const queued = this.#queue;
    this.#queue = [];
    for (const q of queued) q.done(env);
  }

  #setStatus(s: ConnectionStatus): void {
    if (this.#status === s) return;
    this.#status = s;
    for (const cb of this.#statusListeners) cb(s);
  }
}
