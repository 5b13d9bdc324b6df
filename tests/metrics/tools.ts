import { execFileSync } from 'node:child_process';
import { it } from 'vitest';

/** Where a command is on PATH, or undefined. */
export function which(command: string): string | undefined {
  try {
    return execFileSync('which', [command], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * A test that needs an installed tool: on CI (which installs it) a missing
 * tool fails in one sentence; elsewhere the test is skipped with the reason.
 */
export function itWith(command: string, name: string, fn: (path: string) => Promise<void>, timeoutMs?: number): void {
  const found = which(command);
  if (found) return void it(name, () => fn(found), timeoutMs);
  const reason = `${command} is not installed (Debian: apt-get install prometheus; .ci/run installs it)`;
  if (process.env.CI) it(name, () => Promise.reject(new Error(`${reason}.`)));
  else it.skip(`${name} — skipped: ${reason}`, () => undefined);
}
