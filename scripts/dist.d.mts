// Types for dist.mjs (its test imports it from TypeScript).
import type { StdioOptions } from 'node:child_process';
export function electronBuilderCommand(electronDist: string, argv: string[], env?: NodeJS.ProcessEnv): { command: string; args: string[] };
export function run(command: string, args: string[], opts?: { cwd?: string; stdio?: StdioOptions }): number;
