/**
 * Attachments (issue 18) as both sides see them: the reference a message
 * carries (never bytes), the calls' payloads, and the typed errors. The
 * engine decides a file's type by its content, never by its name.
 */
import { z } from 'zod';
import { MAX_ATTACHMENTS_PER_MESSAGE } from './attachment-limits.js';

export const ATTACHMENT_KINDS = ['image', 'document'] as const;
export type AttachmentKind = (typeof ATTACHMENT_KINDS)[number];

// The figures the window needs live in a module without zod, so its bundle does not carry the schemas.
export { IMAGE_MIMES, IMAGE_MAX_SIDE, MAX_ATTACHMENTS_PER_MESSAGE, THUMBNAIL_MAX_SIDE, UPLOAD_MAX_MB_CAP } from './attachment-limits.js';

/** An attachment's id is the sha256 (hex) of its stored bytes: the same file is stored once. */
export const ATTACHMENT_ID = z.string().regex(/^[0-9a-f]{64}$/, 'an attachment id (sha256, 64 hex digits)');

/** What messages, `chat:get` and lists carry: a reference, never the bytes. */
export interface AttachmentRef {
  readonly id: string;
  /** For display only; never used as a path. */
  readonly name: string;
  readonly kind: AttachmentKind;
  /** Decided by content. */
  readonly mime: string;
  /** Bytes of the stored file. */
  readonly size: number;
  readonly width?: number;
  readonly height?: number;
  /** Documents: the extracted text's size in tokens, estimated as characters / 4. */
  readonly tokens?: number;
  /** Documents: only this many characters of the text went to the model ("include the first part"). */
  readonly truncatedTo?: number;
}

export const ATTACHMENT_NAME_MAX = 255;

/** Schema of a reference read back from a history file (a trust boundary like any other). */
export const AttachmentRefSchema = z.strictObject({
  id: ATTACHMENT_ID,
  name: z.string().min(1).max(ATTACHMENT_NAME_MAX),
  kind: z.enum(ATTACHMENT_KINDS),
  mime: z.string().min(1).max(100),
  size: z.number().int().nonnegative(),
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
  tokens: z.number().int().nonnegative().optional(),
  truncatedTo: z.number().int().nonnegative().optional(),
});

/** Default of VEGA_UPLOAD_MAX_MB: the bytes one message may attach (and so any one file). */
export const UPLOAD_MAX_MB_DEFAULT = 20;

export function uploadMaxBytes(mb: number = UPLOAD_MAX_MB_DEFAULT): number {
  return mb * 1024 * 1024;
}

/** Characters of a document's text kept at most; the rest is cut at extraction. */
export const MAX_EXTRACTED_CHARS = 1_000_000;

/**
 * File bytes over the contract: a Uint8Array over IPC (structured clone), a
 * base64 string over the WebSocket (JSON text frames). The size is checked
 * by the engine against VEGA_UPLOAD_MAX_MB, which says the limit by name.
 */
export const BASE64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64 (standard alphabet, no data: prefix)');
export const AttachmentData = z.union([z.instanceof(Uint8Array), BASE64]);

/** The bytes a base64 string holds, without decoding it. */
export function base64Bytes(b64: string): number {
  return Math.floor((b64.length * 3) / 4) - (b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0);
}
export type AttachmentData = z.infer<typeof AttachmentData>;

export const AttachmentAddParams = z.strictObject({
  name: z.string().min(1).max(ATTACHMENT_NAME_MAX),
  data: AttachmentData,
  /** A ≤ 256 px WebP/PNG the window made for an image; checked by content like the file. */
  thumbnail: AttachmentData.optional(),
});

export interface AttachmentAddResult {
  readonly ref: AttachmentRef;
}

export const ATTACHMENT_VARIANTS = ['thumbnail', 'file'] as const;
export type AttachmentVariant = (typeof ATTACHMENT_VARIANTS)[number];

export const AttachmentGetParams = z.strictObject({ id: ATTACHMENT_ID, variant: z.enum(ATTACHMENT_VARIANTS) });

/** A file or thumbnail fetched on demand. `data` is base64 (both transports carry it; a `data:` URL is one concat away). */
export interface AttachmentFile {
  readonly mime: string;
  readonly data: string;
}

/** What `chat:send` (and edit) add to a message: ids from `attachments:add`. */
export const AttachmentIds = z.array(ATTACHMENT_ID).max(MAX_ATTACHMENTS_PER_MESSAGE);

/** `details` of a `model_cannot_see` error: the installed models that can. */
export interface CannotSeeDetails {
  readonly visionModels: readonly string[];
}

/** `details` of an `attachments_exceed_context` error: re-send with `includeFirstPart: true` to cut the documents to fit. */
export interface ExceedContextDetails {
  readonly tokens: number;
  readonly contextTokens: number;
}
