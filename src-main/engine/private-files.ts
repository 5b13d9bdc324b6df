import { chmod, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';

/** History, logs, diagnostics and tokens are the user's alone. */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/**
 * Make `dir` a folder only its owner may enter, creating it if need be. With
 * `contents`, what is already inside is tightened too (files 0600, folders
 * 0700): an older Vega left its history and logs readable by every local user.
 * Windows has no such bits; chmod there only toggles read-only, which is harmless.
 */
export async function privateDir(dir: string, { contents = false } = {}): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  await chmod(dir, PRIVATE_DIR_MODE);
  if (!contents) return;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) await privateDir(p, { contents: true });
    else if (entry.isFile()) await chmod(p, PRIVATE_FILE_MODE);
  }
}
