// Types for electron-binary.mjs (tests and the Playwright spec import it from TypeScript).
export type ElectronBinary = { readonly ok: true; readonly path: string } | { readonly ok: false; readonly reason: string };
export function electronBinary(opts?: { env?: NodeJS.ProcessEnv; electronDir?: string }): ElectronBinary;
export function executable(file: string): boolean;
export function electronBinaryOrFetch(env?: NodeJS.ProcessEnv): ElectronBinary;
