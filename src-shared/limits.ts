/**
 * Limits both ends of the contract check. Plain values, no zod: the window
 * imports them without pulling the schemas into its bundle.
 */

/** A request id from a client: short and plain, since it is logged and sent on as a header. */
export const REQUEST_ID_PATTERN = /^[\w.-]{1,64}$/;

/** Largest WebSocket frame a client may send; a chat message is capped well below it. */
export const MAX_FRAME_BYTES = 1024 * 1024;

/** The one channel whose frames may be larger: a file as base64. */
export const LARGE_FRAME_CHANNEL = 'attachments:add';

/** Largest `attachments:add` frame: a file of `maxFileBytes` as base64, with room for its thumbnail and the rest of the frame. */
export function attachmentFrameBytes(maxFileBytes: number): number {
  return Math.ceil(maxFileBytes / 3) * 4 + MAX_FRAME_BYTES;
}
