import type { ErrorCode } from '../../src-shared/errors.js';

/** The extraction worker's answer about one file. */
export type Inspection =
  | { readonly ok: true; readonly kind: 'image'; readonly mime: string; readonly width: number; readonly height: number }
  /** `cut`: the text was longer than the bound and ends early. */
  | { readonly ok: true; readonly kind: 'document'; readonly mime: string; readonly text: string; readonly cut: boolean }
  | InspectFailure;

export type AttachmentErrorCode = Extract<ErrorCode, `attachment_${string}`>;

export interface InspectFailure {
  readonly ok: false;
  readonly code: AttachmentErrorCode;
  readonly message: string;
}

/** What the worker is started with. */
export interface InspectJob {
  readonly bytes: Uint8Array;
  readonly maxChars: number;
}
