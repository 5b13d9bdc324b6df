import WebSocket from 'ws';
import { createVegaApi, type Transport, type VegaApi } from '../../src-shared/api.js';
import type { Envelope, EventName, EventPayloads } from '../../src-shared/contract.js';

/** A Node WebSocket client speaking the contract's frames, as the renderer's does. */
export async function connectApi(
  url: string,
  token: string,
): Promise<{ api: VegaApi; ws: WebSocket; raw: (frame: string | Uint8Array) => Promise<unknown>; close(): Promise<void> }> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws?token=${encodeURIComponent(token)}`);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
  let next = 1;
  const pending = new Map<number, (e: Envelope<unknown>) => void>();
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const rawWaiters: ((v: unknown) => void)[] = [];
  ws.on('message', (data) => {
    const frame = JSON.parse(String(data));
    if ('event' in frame) listeners.get(frame.event)?.forEach((l) => l(frame.payload));
    else if (pending.has(frame.id)) {
      pending.get(frame.id)!(frame);
      pending.delete(frame.id);
    } else rawWaiters.shift()?.(frame);
  });
  const transport: Transport = {
    invoke: (channel, params, requestId) =>
      new Promise((resolve) => {
        const id = next++;
        pending.set(id, resolve);
        ws.send(JSON.stringify({ id, channel, params, requestId }));
      }),
    subscribe<E extends EventName>(event: E, cb: (p: EventPayloads[E]) => void) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(cb as (p: unknown) => void);
      return () => set.delete(cb as (p: unknown) => void);
    },
  };
  return {
    api: createVegaApi(transport),
    ws,
    // A frame as given (bytes go as a binary frame); the answer is the next frame that is not an event.
    raw: (frame) =>
      new Promise((resolve) => {
        rawWaiters.push(resolve);
        ws.send(frame, { binary: typeof frame !== 'string' });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        if (ws.readyState === ws.CLOSED) return resolve();
        ws.once('close', () => resolve());
        ws.close();
      }),
  };
}
