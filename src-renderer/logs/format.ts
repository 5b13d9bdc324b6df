/** Formatting for log lines: a time to the millisecond, and the extra fields as short `key=value` pairs. */

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** HH:MM:SS.mmm, with the date in front when it is not today. */
export function logTime(t: number, now: number = Date.now()): string {
  const d = new Date(t);
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
  return new Date(now).toDateString() === d.toDateString()
    ? time
    : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}`;
}

/** Longest value shown in the line; the whole of it is in the tooltip. */
export const FIELD_CHARS = 160;

export interface FieldView {
  readonly key: string;
  /** Shown, cut to FIELD_CHARS. */
  readonly text: string;
  /** The whole value, for the tooltip. */
  readonly full: string;
}

function valueText(key: string, v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v === undefined) return 'undefined';
  // pino's error serialiser: `{type, message, stack}`; the message says it, the stack is in the tooltip.
  if (key === 'err' && typeof v === 'object' && 'message' in v && typeof v.message === 'string') {
    const e = v as { type?: unknown; message: string };
    return typeof e.type === 'string' ? `${e.type}: ${e.message}` : e.message;
  }
  let json: string | undefined;
  try {
    json = JSON.stringify(v);
  } catch {
    // A cycle: the plain string form below.
  }
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- the last resort, for what JSON cannot write
  return json ?? String(v);
}

function fullText(v: unknown): string {
  if (typeof v === 'string') return v;
  try {
    return JSON.stringify(v, null, 2) ?? String(v);
  } catch {
    return String(v);
  }
}

/** A line's other fields, in their order, as short texts. */
export function fieldViews(fields: Readonly<Record<string, unknown>>): FieldView[] {
  return Object.entries(fields).map(([key, v]) => {
    const text = valueText(key, v);
    return { key, text: text.length > FIELD_CHARS ? `${text.slice(0, FIELD_CHARS - 1)}…` : text, full: fullText(v).slice(0, 4000) };
  });
}
