import { IMAGE_MAX_SIDE, THUMBNAIL_MAX_SIDE } from '../../src-shared/attachment-limits.js';
import { rasterType } from '../../src-shared/raster-type.js';

/** The size that fits `max` on the longest side, keeping the ratio; unchanged when it already fits. */
export function fitWithin(width: number, height: number, max: number): { width: number; height: number } {
  const longest = Math.max(width, height);
  if (longest <= max) return { width, height };
  const k = max / longest;
  return { width: Math.max(1, Math.round(width * k)), height: Math.max(1, Math.round(height * k)) };
}

/** What goes to `attachments:add` for one file: the bytes to store, and for an image its thumbnail. */
export interface PreparedFile {
  readonly data: Blob;
  readonly thumbnail?: Blob;
}

type Canvas2D = OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D;

interface Drawn {
  readonly ctx: Canvas2D;
  toBlob(type: string, quality?: number): Promise<Blob>;
}

/** The image drawn at the given size, on an OffscreenCanvas where there is one (off the page), else a detached canvas. */
function draw(bitmap: ImageBitmap, width: number, height: number): Drawn {
  if (typeof OffscreenCanvas === 'function') {
    const canvas = new OffscreenCanvas(width, height);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2D canvas');
    ctx.drawImage(bitmap, 0, 0, width, height);
    return { ctx, toBlob: (type, quality) => canvas.convertToBlob({ type, quality }) };
  }
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas');
  ctx.drawImage(bitmap, 0, 0, width, height);
  return {
    ctx,
    toBlob: (type, quality) =>
      new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('encoding failed'))), type, quality)),
  };
}

/** Any pixel not fully opaque: such an image stays PNG (JPEG would paint its transparency black). */
function hasAlpha(ctx: Canvas2D, width: number, height: number): boolean {
  const px = ctx.getImageData(0, 0, width, height).data;
  for (let i = 3; i < px.length; i += 4) if (px[i] !== 255) return true;
  return false;
}

/**
 * Ready a file for `attachments:add`. A raster image larger than
 * IMAGE_MAX_SIDE is scaled down (JPEG for a photo, PNG when it has
 * transparency; a GIF is kept as it is, frames and all) and gets a
 * thumbnail. Anything else, or an image this browser cannot decode, goes as
 * it is: the engine decides its type by content and says what is wrong.
 */
export async function prepareFile(file: Blob): Promise<PreparedFile> {
  const type = rasterType(await readHead(file));
  if (!type || typeof createImageBitmap !== 'function') return { data: file };
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    return { data: file };
  }
  try {
    const { width, height } = bitmap;
    let data: Blob = file;
    const fit = fitWithin(width, height, IMAGE_MAX_SIDE);
    if (type !== 'image/gif' && (fit.width !== width || fit.height !== height)) {
      const scaled = draw(bitmap, fit.width, fit.height);
      const keepAlpha = type !== 'image/jpeg' && hasAlpha(scaled.ctx, fit.width, fit.height);
      data = await (keepAlpha ? scaled.toBlob('image/png') : scaled.toBlob('image/jpeg', 0.9));
    }
    const t = fitWithin(width, height, THUMBNAIL_MAX_SIDE);
    // WebP keeps transparency at a fraction of PNG's size; a browser without a WebP encoder hands back PNG.
    const thumbnail = await draw(bitmap, t.width, t.height).toBlob('image/webp', 0.8);
    return { data, thumbnail };
  } finally {
    bitmap.close();
  }
}

/** The first bytes of a file, through FileReader (which every browser and jsdom have). */
function readHead(file: Blob): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onerror = () => reject(reader.error ?? new Error('could not read the file'));
    reader.onload = () => resolve(new Uint8Array(reader.result instanceof ArrayBuffer ? reader.result : new ArrayBuffer(0)));
    reader.readAsArrayBuffer(file.slice(0, 16));
  });
}

/** Bytes as standard base64 (the WebSocket carries JSON text); the browser's own encoder, not a loop over bytes. */
export function toBase64(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onerror = () => reject(reader.error ?? new Error('could not read the file'));
    reader.onload = () => {
      const url = typeof reader.result === 'string' ? reader.result : '';
      resolve(url.slice(url.indexOf(',') + 1));
    };
    reader.readAsDataURL(blob);
  });
}

/** base64 from `attachments:get` as a Blob of the type the engine decided. */
export function fromBase64(data: string, mime: string): Blob {
  const bin = atob(data);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Blob([bytes], { type: mime });
}
