/**
 * What a file is, by its bytes alone, and its text for a document. Runs in
 * the extraction worker (worker.ts): pdfjs and mammoth parse untrusted input
 * there, under a time and memory bound the main process holds.
 */
import { fileTypeFromBuffer } from 'file-type';
import { imageSize } from 'image-size';
import { IMAGE_MIMES } from '../../src-shared/attachments.js';
import type { Inspection, InspectFailure } from './inspection.js';
import { zipEntries } from './zip-sizes.js';

/** Declared unpacked size above which a DOCX is taken for a zip bomb (real ones are a few MB). */
export const MAX_UNZIPPED_BYTES = 128 * 1024 * 1024;

const fail = (code: InspectFailure['code'], message: string): InspectFailure => ({ ok: false, code, message });

export async function inspect(bytes: Uint8Array, maxChars: number): Promise<Inspection> {
  if (bytes.length === 0) return fail('attachment_empty', 'The file is empty (0 bytes).');
  const type = await fileTypeFromBuffer(bytes);
  if (type && (IMAGE_MIMES as readonly string[]).includes(type.mime)) return image(bytes, type.mime);
  if (type?.mime === 'application/pdf') return pdf(bytes, maxChars);
  if (type?.ext === 'zip' || type?.ext === 'docx') return docx(bytes, maxChars);
  // XML is text (an SVG among it is refused there).
  if (type && type.mime !== 'application/xml')
    return fail('attachment_unsupported', `This is a ${type.ext.toUpperCase()} file (${type.mime}), which Vega cannot read.`);
  return text(bytes, maxChars);
}

function image(bytes: Uint8Array, mime: string): Inspection {
  try {
    const { width, height } = imageSize(bytes);
    if (!width || !height) throw new Error('no size');
    return { ok: true, kind: 'image', mime, width, height };
  } catch {
    return fail('attachment_corrupt', 'The image is damaged: its size cannot be read.');
  }
}

async function pdf(bytes: Uint8Array, maxChars: number): Promise<Inspection> {
  // pdfjs's display layer makes a DOMMatrix as it loads, for drawing, which reading text never does. Node has
  // none, and the native canvas pdfjs would borrow one from is not installed everywhere this runs.
  (globalThis as { DOMMatrix?: unknown }).DOMMatrix ??= class DOMMatrix {};
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  // pdfjs's own worker would be a worker in this worker: its handler runs here, on the "fake worker".
  (globalThis as { pdfjsWorker?: unknown }).pdfjsWorker ??= await import('pdfjs-dist/legacy/build/pdf.worker.mjs');
  const task = pdfjs.getDocument({ data: bytes, isEvalSupported: false, disableFontFace: true, useSystemFonts: false, verbosity: 0 });
  try {
    const doc = await task.promise;
    const parts: string[] = [];
    let chars = 0;
    for (let n = 1; n <= doc.numPages && chars < maxChars; n++) {
      const page = await doc.getPage(n);
      const content = await page.getTextContent();
      const line = content.items.map((item) => ('str' in item ? item.str + (item.hasEOL ? '\n' : '') : '')).join('');
      parts.push(line);
      chars += line.length + 2;
      page.cleanup();
    }
    return document('application/pdf', parts.join('\n\n'), maxChars);
  } catch (err) {
    const name = err instanceof Error ? err.name : '';
    if (name === 'PasswordException')
      return fail('attachment_encrypted', 'The PDF is protected by a password; save a copy without one and attach that.');
    return fail('attachment_corrupt', 'The PDF is damaged or not a PDF: its text cannot be read.');
  } finally {
    await task.destroy();
  }
}

async function docx(bytes: Uint8Array, maxChars: number): Promise<Inspection> {
  const entries = zipEntries(bytes);
  if (entries === null) return fail('attachment_corrupt', 'The file is a damaged zip archive.');
  if (entries === 'zip64') return fail('attachment_bomb', 'The archive declares entries too large to unpack safely.');
  if (!entries.some((e) => e.name === 'word/document.xml'))
    return fail('attachment_unsupported', 'This zip archive is not a Word document (DOCX); Vega cannot read it.');
  const unpacked = entries.reduce((n, e) => n + e.uncompressed, 0);
  if (unpacked > MAX_UNZIPPED_BYTES)
    return fail(
      'attachment_bomb',
      `The document would unpack to ${Math.round(unpacked / 1024 / 1024)} MB (the limit is ${MAX_UNZIPPED_BYTES / 1024 / 1024} MB): it looks like a zip bomb.`,
    );
  const mammoth = await import('mammoth');
  try {
    const { value } = await mammoth.extractRawText({ buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) });
    return document('application/vnd.openxmlformats-officedocument.wordprocessingml.document', value, maxChars);
  } catch {
    return fail('attachment_corrupt', 'The Word document is damaged: its text cannot be read.');
  }
}

function text(bytes: Uint8Array, maxChars: number): Inspection {
  let value: string;
  try {
    value = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return fail('attachment_unsupported', 'Vega cannot read this file: it is neither a known type nor UTF-8 text.');
  }
  if (value.includes('\0')) return fail('attachment_unsupported', 'Vega cannot read this file: it is binary, not text.');
  // An SVG is text, but a picture to the person: it is never shown or sent as an image (scripts ride in it).
  if (/^\s*(?:<\?xml[^>]*>\s*)?(?:<!--[\s\S]*?-->\s*)*(?:<!DOCTYPE svg[^>]*>\s*)?<svg[\s>]/i.test(value.slice(0, 4096)))
    return fail('attachment_unsupported', 'SVG images are not accepted (they can carry scripts); attach a PNG or JPEG instead.');
  return document('text/plain', value, maxChars);
}

function document(mime: string, value: string, maxChars: number): Inspection {
  const cut = value.length > maxChars;
  return { ok: true, kind: 'document', mime, text: cut ? value.slice(0, maxChars) : value, cut };
}
