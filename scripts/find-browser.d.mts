// Types for find-browser.mjs (playwright.config.ts and its test import it from TypeScript).
export type BrowserLookup =
  | { readonly ok: true; readonly path: string; readonly source: 'VEGA_CHROMIUM' | 'playwright' | 'system' }
  | { readonly ok: false; readonly reason: string };
export const CHROMIUM_ARGS: readonly string[];
export const NO_BROWSER: string;
export function findBrowser(opts?: { env?: NodeJS.ProcessEnv; platform?: NodeJS.Platform; playwrightPath?: () => string }): BrowserLookup;
