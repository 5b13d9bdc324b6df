/**
 * Limits both ends of the contract check. Plain values, no zod: the window
 * imports them without pulling the schemas into its bundle.
 */

/** A request id from a client: short and plain, since it is logged and sent on as a header. */
export const REQUEST_ID_PATTERN = /^[\w.-]{1,64}$/;

/** Largest WebSocket frame a client may send; a chat message is capped well below it. */
export const MAX_FRAME_BYTES = 1024 * 1024;
