/** The raster formats a model may see, by their first bytes: the window never decodes anything else (SVG above all). */
export type RasterType = 'image/png' | 'image/jpeg' | 'image/webp' | 'image/gif';

const ascii = (b: Uint8Array, at: number, s: string) => [...s].every((c, i) => b[at + i] === c.charCodeAt(0));

/** Which raster format these bytes start with, or null. What is stored is typed by the engine's full check (file-type). */
export function rasterType(head: Uint8Array): RasterType | null {
  if (head[0] === 0x89 && ascii(head, 1, 'PNG')) return 'image/png';
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  if (ascii(head, 0, 'RIFF') && ascii(head, 8, 'WEBP')) return 'image/webp';
  if (ascii(head, 0, 'GIF8')) return 'image/gif';
  return null;
}
