import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { WsTransport, type SocketLike } from '../../src-renderer/api/ws-transport.js';
import { createVegaApi } from '../../src-shared/api.js';
import type { ChatEvent, ChatMessage } from '../../src-shared/chat.js';
import { scale, until, within } from '../helpers/fault-kit.js';
import { startOllamaStandIn, type OllamaStandIn } from '../helpers/ollama-standin.js';
import { eventually } from '../helpers/servers.js';
import { tempWebHost, type TempWebHost } from '../helpers/web.js';
import { connectApi } from '../helpers/ws-client.js';

// The web UI loses its socket (Wi-Fi drop, laptop lid, proxy restart): the
// server lets go of the dead one, accepts the reconnect and pushes events to
// it again. The window's own transport (src-renderer) does the reconnecting.

let w: TempWebHost | undefined;
let ollama: OllamaStandIn | undefined;
let transport: WsTransport | undefined;
afterEach(async () => {
  transport?.close();
  await w?.dispose();
  await ollama?.close();
  w = ollama = transport = undefined;
});

/** The renderer's transport over `ws` in Node; `sockets` holds every socket it opened, to cut them. */
function windowTransport(url: string, token: string): { t: WsTransport; sockets: WebSocket[] } {
  const sockets: WebSocket[] = [];
  const t = new WsTransport({
    url: (tok) => `${url.replace(/^http/, 'ws')}/ws?token=${encodeURIComponent(tok)}`,
    token,
    baseDelayMs: 20,
    maxDelayMs: 200,
    socket: (u) => {
      const ws = new WebSocket(u);
      sockets.push(ws);
      return ws as unknown as SocketLike;
    },
  });
  return { t, sockets };
}

/** A network failure: the TCP connection dies under the socket, no close frame either way. */
function cut(ws: WebSocket): void {
  (ws as unknown as { _socket: Socket })._socket.destroy();
}

describe('the web UI loses its WebSocket', () => {
  it('the window reconnects by itself; calls work and snapshots flow again; the dead socket leaves no listener behind', async () => {
    w = await tempWebHost('', { tickMs: 30 });
    const events = w.app.events;
    const { t, sockets } = windowTransport(w.host.url, w.key);
    transport = t;
    const api = createVegaApi(t);
    const statuses: string[] = [];
    t.onStatus((s) => statuses.push(s));
    let snaps = 0;
    api.resources.onSnapshot(() => snaps++);
    await eventually(() => t.status === 'open', 3_000, 'open');
    await eventually(() => snaps >= 2, 3_000, 'snapshots');
    expect(events.listenerCount('resources:snapshot')).toBe(1);

    const rounds = scale(5, 20);
    for (let i = 0; i < rounds; i++) {
      cut(sockets.at(-1)!);
      await eventually(() => t.status !== 'open', 3_000, 'the drop to be noticed');
      await eventually(() => t.status === 'open', 3_000, 'the reconnect');
      const before = snaps;
      await eventually(() => snaps >= before + 2, 3_000, 'snapshots on the new socket');
      expect((await api.app.info()).host).toBe('web');
      // The server dropped the dead socket's subscriptions: one socket, one listener per event.
      await eventually(
        () => events.listenerCount('resources:snapshot') === 1 && events.listenerCount('chat:event') === 1,
        3_000,
        'the dead socket to be let go',
      );
    }
    expect(sockets).toHaveLength(rounds + 1);
    expect(statuses.filter((s) => s === 'reconnecting')).toHaveLength(rounds);
  });

  it('a socket lost mid-answer: the answer goes on on the server, the reconnected window receives its remaining tokens and the done event', async () => {
    ollama = await startOllamaStandIn({ tokenDelayMs: 25 });
    w = await tempWebHost(`OLLAMA_HOST=${ollama.url}\n`, { tickMs: 1_000 });
    const { t, sockets } = windowTransport(w.host.url, w.key);
    transport = t;
    const api = createVegaApi(t);
    const seen: ChatEvent[] = [];
    api.chat.onEvent((e) => seen.push(e));
    await eventually(() => t.status === 'open', 3_000, 'open');
    const conv = await api.chat.create({ title: 'drop' });
    const words = Array.from({ length: 30 }, (_, i) => `w${i}`).join(' ');
    const { messageId } = await api.chat.send({ conversationId: conv.id, text: words });
    const tokens = () => seen.filter((e) => e.type === 'token' && e.messageId === messageId).length;
    await eventually(() => tokens() >= 3, 3_000, 'first tokens');
    cut(sockets.at(-1)!);
    await eventually(() => t.status === 'open' && sockets.length === 2, 3_000, 'the reconnect');
    const atReconnect = tokens();
    const done = await within(
      5_000,
      (async () => {
        await until(() => seen.some((e) => e.type === 'done' && e.conversationId === conv.id), 5_000, 'done on the new socket', 10);
        return (seen.find((e) => e.type === 'done' && e.conversationId === conv.id) as { message: ChatMessage }).message;
      })(),
    );
    expect(tokens()).toBeGreaterThan(atReconnect);
    // The answer was not cut by the window's network: complete, not partial.
    expect(done.content).toBe(`You said: ${words}`);
    expect(done.partial).toBeUndefined();
    const stored = await api.chat.get({ conversationId: conv.id });
    expect(stored.messages.at(-1)).toMatchObject({ id: messageId, content: `You said: ${words}` });
  });

  it('200 sockets opened and dropped without a close frame: the server keeps no listener and still serves', async () => {
    w = await tempWebHost('', { tickMs: 1_000 });
    const n = scale(60, 200);
    for (let i = 0; i < n; i += 20) {
      const batch = await Promise.all(Array.from({ length: 20 }, () => connectApi(w!.host.url, w!.key)));
      await Promise.all(batch.map((c) => c.api.app.info()));
      batch.forEach((c) => cut(c.ws));
    }
    await eventually(
      () => w!.app.events.listenerCount('chat:event') === 0 && w!.app.events.listenerCount('resources:snapshot') === 0,
      5_000,
      'every dead socket to be let go',
    );
    const c = await connectApi(w.host.url, w.key);
    expect((await c.api.resources.health()).status).toBe('healthy');
    expect(w.app.events.listenerCount('chat:event')).toBe(1);
    await c.close();
  });
});
