import dotenv from 'dotenv';
import { VegaError } from '../../src-shared/errors.js';

const ASSIGNMENT = /^\s*(?:export\s+)?[A-Za-z_][\w.-]*\s*=(.*)$/;

/**
 * dotenv skips lines it cannot read without a word; a settings file that
 * silently loses a line is worse than one that says which line is wrong. This
 * finds the first line that is neither blank, a comment, an assignment, nor
 * the continuation of a multi-line quoted value.
 */
export function findMalformedLine(text: string): number | undefined {
  const lines = text.split(/\r?\n/);
  let openQuote: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (openQuote) {
      if (line.includes(openQuote)) openQuote = undefined;
      continue;
    }
    if (/^\s*(#.*)?$/.test(line)) continue;
    const m = ASSIGNMENT.exec(line);
    if (!m) return i + 1;
    const value = (m[1] ?? '').trim();
    const q = value[0];
    if (q === '"' || q === "'" || q === '`') {
      if (value.indexOf(q, 1) === -1) openQuote = q;
    }
  }
  return openQuote ? lines.length : undefined;
}

/** Parse .env text; a malformed line is an error naming the file and line. */
export function parseEnvText(text: string, file: string): Record<string, string> {
  const bad = findMalformedLine(text.replace(/^\uFEFF/, ''));
  if (bad !== undefined) {
    throw new VegaError('CONFIG_INVALID', `${file} line ${bad} is not KEY=value.`);
  }
  return dotenv.parse(text);
}
