import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * Set keys in a .env file, keeping its comments, order and other lines.
 * Written to a temporary file, fsynced, then renamed over the original, so a
 * crash mid-write leaves either the old file or the new one, never half.
 * An empty value removes the key.
 */
export async function writeEnvValues(file: string, values: Readonly<Record<string, string>>): Promise<void> {
  let text = '';
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const pending = new Map(Object.entries(values));
  const lines = text === '' ? [] : text.replace(/\r?\n$/, '').split(/\r?\n/);
  const out: string[] = [];
  for (const line of lines) {
    const key = /^\s*(?:export\s+)?([A-Za-z_][\w.-]*)\s*=/.exec(line)?.[1];
    if (key !== undefined && pending.has(key)) {
      const v = pending.get(key) as string;
      pending.delete(key);
      if (v !== '') out.push(`${key}=${quote(v)}`);
      continue;
    }
    out.push(line);
  }
  for (const [k, v] of pending) if (v !== '') out.push(`${k}=${quote(v)}`);
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(out.join('\n') + '\n');
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

function quote(v: string): string {
  if (/^[\w.:/@+,-]*$/.test(v)) return v;
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}
