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
}

/** An error whose message is meant for the person using Vega. */
export class VegaError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'VegaError';
    this.code = code;
  }
  toJSON(): VegaErrorValue {
    return { code: this.code, message: this.message };
  }
}

/** Reduce anything thrown to a value safe to send across a boundary. */
export function toErrorValue(err: unknown): VegaErrorValue {
  if (err instanceof VegaError) return err.toJSON();
  if (err instanceof Error && err.name === 'AbortError') return { code: 'ABORTED', message: 'Stopped.' };
  return { code: 'INTERNAL', message: 'Something went wrong inside Vega; the log has the details.' };
}
