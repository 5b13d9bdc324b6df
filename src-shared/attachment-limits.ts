/**
 * The attachment figures the window needs too, without zod: the window
 * imports these, the schemas stay in attachments.ts (which re-exports them).
 */

/** Images a model may see: decided by their bytes. SVG is never one (it is text, and scripts ride in it). */
export const IMAGE_MIMES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'] as const;

/** The largest VEGA_UPLOAD_MAX_MB accepted. */
export const UPLOAD_MAX_MB_CAP = 200;

/** Longest side, px, of an image sent to a model; the window scales larger ones before adding them. */
export const IMAGE_MAX_SIDE = 2048;
/** Longest side, px, of a thumbnail the window makes. */
export const THUMBNAIL_MAX_SIDE = 256;

/** Attachments one message may carry. */
export const MAX_ATTACHMENTS_PER_MESSAGE = 20;
