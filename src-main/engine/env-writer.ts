import { readFile } from 'node:fs/promises';
import { VegaError } from '../../src-shared/errors.js';
import { writeFileAtomic } from './atomic-file.js';
import { parseEnvText } from './env-file.js';

/**
 * Set keys in a .env file, keeping its comments, order and other lines.
 * Written to a temporary file, fsynced, then renamed over the original, so a
 * crash mid-write leaves either the old file or the new one, never half.
 * An empty value removes the key. Nothing is written unless the new file
 * reads back (with the same parser as every load) exactly as asked: a
 * CONFIG_INVALID error says why, e.g. a line of the file that is already broken.
 */
export async function writeEnvValues(file: string, values: Readonly<Record<string, string>>): Promise<void> {
  let text = '';
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const next = withValues(text, values);
  const read = parseEnvText(next, file);
  for (const [k, v] of Object.entries(values)) {
    if ((read[k] ?? '') !== v) throw new VegaError('CONFIG_INVALID', `${k} cannot be written to ${file} so that it reads back as given.`);
  }
  await writeFileAtomic(file, next);
}

/** The file's text with `values` set in place (or appended), everything else kept. */
function withValues(text: string, values: Readonly<Record<string, string>>): string {
  const pending = new Map(Object.entries(values));
  const lines = text === '' ? [] : text.replace(/\r?\n$/, '').split(/\r?\n/);
  const out: string[] = [];
  for (const line of lines) {
    const key = /^\s*(?:export\s+)?([A-Za-z_][\w.-]*)\s*=/.exec(line)?.[1];
    if (key !== undefined && pending.has(key)) {
      const v = pending.get(key) as string;
      pending.delete(key);
      if (v !== '') out.push(`${key}=${envValueText(v) ?? ''}`);
      continue;
    }
    out.push(line);
  }
  for (const [k, v] of pending) if (v !== '') out.push(`${k}=${envValueText(v) ?? ''}`);
  return out.join('\n') + '\n';
}

// Line breaks of every kind (dotenv's line ends include U+2028/U+2029), other control characters, lone surrogates.
const UNWRITABLE = /[\p{Cc}\p{Cs}\u2028\u2029]/u;

/**
 * A value as written in the file so that dotenv reads back exactly it: bare
 * when plain, else in the first quote it does not hold. dotenv unescapes
 * nothing in '…' and `…`; in "…" it turns a backslash before n or r into a
 * line break, so such values are never double-quoted. undefined: it cannot be
 * written (a control character or line break, a lone surrogate, or all three quotes).
 */
export function envValueText(v: string): string | undefined {
  if (UNWRITABLE.test(v)) return undefined;
  if (/^[\w.:/@+,-]*$/.test(v)) return v;
  if (!v.includes("'")) return `'${v}'`;
  if (!v.includes('`')) return `\`${v}\``;
  if (!v.includes('"') && !/\\[nr]/.test(v)) return `"${v}"`;
  return undefined;
}
