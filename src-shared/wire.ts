import { z } from 'zod';
import { REQUEST_ID, type Envelope, type EventName, type EventPayloads } from './contract.js';

/**
 * Frames of the contract over one WebSocket (the web host). IPC needs no
 * frames: Electron's invoke/send carry the same envelope and payloads.
 */
export const ClientFrame = z.strictObject({
  id: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  channel: z.string().max(64),
  params: z.unknown(),
  requestId: REQUEST_ID.optional(),
});
export type ClientFrame = z.infer<typeof ClientFrame>;

export type ServerFrame =
  | ({ readonly id: number } & Envelope<unknown>)
  | { readonly [K in EventName]: { readonly event: K; readonly payload: EventPayloads[K] } }[EventName];
