// Types for electron-binary.mjs (tests and the Playwright spec import it from TypeScript).
/** `dist`: the folder `path` is relative to (on a Mac, the one holding Electron.app): electron-builder's electronDist. */
export type ElectronBinary =
  { readonly ok: true; readonly path: string; readonly dist: string } | { readonly ok: false; readonly reason: string };
export function electronBinary(opts?: { env?: NodeJS.ProcessEnv; electronDir?: string }): ElectronBinary;
export function executable(file: string): boolean;
export function electronBinaryOrFetch(env?: NodeJS.ProcessEnv): ElectronBinary;
