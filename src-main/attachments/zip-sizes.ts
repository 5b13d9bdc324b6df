/**
 * The sizes a zip declares in its central directory, read before anything is
 * inflated: a DOCX that would unpack to gigabytes (a zip bomb) is refused on
 * these figures, and the extraction worker's memory bound catches one that lies.
 */
export interface ZipEntry {
  readonly name: string;
  readonly compressed: number;
  readonly uncompressed: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
/** The end record is 22 bytes, then a comment of at most 65535. */
const EOCD_SEARCH = 22 + 0xffff;
/** ZIP64 marks a size too large for 32 bits: no DOCX a person writes needs it. */
const ZIP64 = 0xffffffff;

/** The entries of a zip's central directory; null when the bytes are not a readable zip, 'zip64' when sizes need ZIP64. */
export function zipEntries(bytes: Uint8Array): ZipEntry[] | 'zip64' | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let end = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - EOCD_SEARCH); i--) {
    if (view.getUint32(i, true) === EOCD) {
      end = i;
      break;
    }
  }
  if (end < 0) return null;
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  if (at === ZIP64 || count === 0xffff) return 'zip64';
  const entries: ZipEntry[] = [];
  const names = new TextDecoder();
  for (let n = 0; n < count; n++) {
    if (at + 46 > bytes.length || view.getUint32(at, true) !== CENTRAL) return null;
    const compressed = view.getUint32(at + 20, true);
    const uncompressed = view.getUint32(at + 24, true);
    if (compressed === ZIP64 || uncompressed === ZIP64) return 'zip64';
    const nameLength = view.getUint16(at + 28, true);
    const extra = view.getUint16(at + 30, true);
    const comment = view.getUint16(at + 32, true);
    if (at + 46 + nameLength > bytes.length) return null;
    entries.push({ name: names.decode(bytes.subarray(at + 46, at + 46 + nameLength)), compressed, uncompressed });
    at += 46 + nameLength + extra + comment;
  }
  return entries;
}
