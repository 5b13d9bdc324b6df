import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { EVENT_NAMES, type EventName, type EventPayloads } from '../../src-shared/contract.js';
import { UPLOAD_MAX_MB_CAP } from '../../src-shared/attachment-limits.js';
import { LARGE_FRAME_CHANNEL, MAX_FRAME_BYTES, attachmentFrameBytes } from '../../src-shared/limits.js';
import { ClientFrame, type ServerFrame } from '../../src-shared/wire.js';
import type { VegaApp } from '../app/create-app.js';
import { dispatchCall } from '../app/router.js';

// A client that stops reading must not make us buffer without bound:
// snapshots are skipped past this much unsent data (the next one replaces them),
// and past DROP_ABOVE the socket is dropped, whatever the event (the window reconnects by itself).
const SKIP_SNAPSHOTS_ABOVE = 1024 * 1024;
const DROP_ABOVE = 4 * 1024 * 1024;
// A socket whose peer vanished without closing (a sleeping laptop, a cut
// network) answers no ping: it is dropped after one missed beat, with its listeners.
const HEARTBEAT_MS = 30_000;

/**
 * The contract over one WebSocket: calls are `{id, channel, params}` frames
 * answered with an envelope carrying the same id; every event is pushed to
 * every connected socket.
 */
export class WsBridge {
  readonly #wss: WebSocketServer;
  readonly #app: VegaApp;

  readonly #alive = new WeakMap<WebSocket, boolean>();
  readonly #heartbeat: NodeJS.Timeout;

  constructor(app: VegaApp, heartbeatMs = HEARTBEAT_MS) {
    this.#app = app;
    // Past 1 MiB only an `attachments:add` is kept (see the message handler). Its frames are read up to the
    // most VEGA_UPLOAD_MAX_MB may ever be, so a file over the configured limit gets the typed error naming
    // it instead of a closed socket.
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: attachmentFrameBytes(UPLOAD_MAX_MB_CAP * 1024 * 1024),
      perMessageDeflate: false,
    });
    this.#wss.on('connection', (ws) => this.#attach(ws));
    this.#heartbeat = setInterval(() => {
      for (const ws of this.#wss.clients) {
        if (this.#alive.get(ws) === false) ws.terminate();
        else {
          this.#alive.set(ws, false);
          ws.ping();
        }
      }
    }, heartbeatMs);
    this.#heartbeat.unref();
  }

  get clients(): number {
    return this.#wss.clients.size;
  }

  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#wss.emit('connection', ws, req));
  }

  #attach(ws: WebSocket): void {
    const { events, handlers, rm } = this.#app;
    // Answers asked for and not yet handed to the kernel: a large one (a long
    // conversation opened) says nothing about whether the window still reads.
    let answering = 0;
    const send = (frame: ServerFrame): void => {
      if (ws.readyState !== ws.OPEN) return;
      if (ws.bufferedAmount - answering > DROP_ABOVE) {
        ws.terminate();
        return;
      }
      const text = JSON.stringify(frame);
      if ('event' in frame) {
        ws.send(text);
        return;
      }
      const bytes = Buffer.byteLength(text);
      answering += bytes;
      ws.send(text, () => (answering -= bytes));
    };
    const unsubscribe = EVENT_NAMES.map((event) =>
      events.on(event, (payload: EventPayloads[EventName]) => {
        if (event === 'resources:snapshot' && ws.bufferedAmount > SKIP_SNAPSHOTS_ABOVE) return;
        send({ event, payload } as ServerFrame);
      }),
    );
    this.#alive.set(ws, true);
    ws.on('pong', () => this.#alive.set(ws, true));
    ws.on('close', () => unsubscribe.forEach((u) => u()));
    ws.on('error', () => ws.terminate());
    // eslint-disable-next-line @typescript-eslint/no-misused-promises -- never rejects: dispatchCall answers every failure as an envelope
    ws.on('message', async (data, isBinary) => {
      const large = (data as Buffer).length > MAX_FRAME_BYTES;
      let raw: unknown;
      try {
        if (isBinary) throw new Error('binary');
        raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data as Buffer));
      } catch {
        if (large) ws.close(1009, 'Frame too large');
        else send({ id: -1, ok: false, error: { code: 'BAD_REQUEST', message: 'A frame must be UTF-8 JSON text.' } });
        return;
      }
      // The limit every frame had before attachments: only a file may be larger.
      if (large && (raw as { channel?: unknown } | null)?.channel !== LARGE_FRAME_CHANNEL) {
        ws.close(1009, 'Frame too large');
        return;
      }
      const frame = ClientFrame.safeParse(raw);
      if (!frame.success) {
        const id = typeof (raw as { id?: unknown })?.id === 'number' ? (raw as { id: number }).id : -1;
        send({ id, ok: false, error: { code: 'BAD_REQUEST', message: 'A frame is {id, channel, params}.' } });
        return;
      }
      const envelope = await dispatchCall(
        handlers,
        frame.data.channel,
        frame.data.params,
        { host: 'web', requestId: frame.data.requestId },
        rm.logger,
      );
      send({ id: frame.data.id, ...envelope });
    });
  }

  /** Close every socket with "going away" and stop accepting. */
  close(): Promise<void> {
    clearInterval(this.#heartbeat);
    for (const ws of this.#wss.clients) ws.close(1001, 'Vega is shutting down');
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        for (const ws of this.#wss.clients) ws.terminate();
      }, 500);
      this.#wss.close(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
