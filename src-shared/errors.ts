/**
 * Errors cross every boundary (IPC, WebSocket, admin HTTP) as plain
 * `{code, message}` values, never as stack traces.
 */
export const ERROR_CODES = [
  'BAD_REQUEST',
  'UNAUTHORIZED',
  'NOT_FOUND',
  'PAYLOAD_TOO_LARGE',
  'UNKNOWN_CHANNEL',
  'FORBIDDEN_SENDER',
  'CONFIG_INVALID',
  'CONFIG_UNAVAILABLE',
  'PROVIDER_UNREACHABLE',
  'PROVIDER_ERROR',
  'MODEL_NOT_FOUND',
  'TIMEOUT',
  'ABORTED',
  'SHUTTING_DOWN',
  /** The disk refused a write for lack of space: nothing saved before is lost. */
  'DISK_FULL',
  /** Any other refused write (permissions, a read-only disk, an I/O error). */
  'STORAGE_FAILED',
  'INTERNAL',
  // Attachments (issue 18), named as agreed with the window: each says what is wrong with one file.
  /** A 0-byte file. */
  'attachment_empty',
  /** Over VEGA_UPLOAD_MAX_MB (the message names the limit). */
  'attachment_too_large',
  /** Not a type Vega reads (SVG as an image, an unknown binary). */
  'attachment_unsupported',
  'attachment_corrupt',
  'attachment_encrypted',
  /** Text extraction ran past its time bound and was stopped. */
  'attachment_timeout',
  /** A compressed file that would unpack to far more than its size (a zip bomb), or extraction ran out of its memory bound. */
  'attachment_bomb',
  /** An attachment id that is not stored (never added, or collected). */
  'attachment_not_found',
  /** An image for a model that cannot see; `details.visionModels` lists those that can. */
  'model_cannot_see',
  /** The documents would not fit the context window; `details: {tokens, contextTokens}`. */
  'attachments_exceed_context',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

const CODE_SET: ReadonlySet<string> = new Set(ERROR_CODES);

/** For the edge where an envelope arrives as untyped JSON (the window's socket). */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && CODE_SET.has(code);
}

export interface VegaErrorValue {
  readonly code: ErrorCode;
  readonly message: string;
  /** Plain data the window acts on (e.g. the models that can see); only for the codes that say so. */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** An error whose message is meant for the person using Vega. */
export class VegaError extends Error {
  readonly code: ErrorCode;
  readonly details?: Readonly<Record<string, unknown>>;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; details?: Readonly<Record<string, unknown>> }) {
    super(message, options);
    this.name = 'VegaError';
    this.code = code;
    if (options?.details) this.details = options.details;
  }
  toJSON(): VegaErrorValue {
    return this.details ? { code: this.code, message: this.message, details: this.details } : { code: this.code, message: this.message };
  }
}

/** Reduce anything thrown to a value safe to send across a boundary. */
export function toErrorValue(err: unknown): VegaErrorValue {
  if (err instanceof VegaError) return err.toJSON();
  if (err instanceof Error && err.name === 'AbortError') return { code: 'ABORTED', message: 'Stopped.' };
  return { code: 'INTERNAL', message: 'Something went wrong inside Vega; the log has the details.' };
}
