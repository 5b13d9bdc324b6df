// Injected by the bundler (scripts/build.mjs) and by vitest's config.
declare const __VEGA_VERSION__: string | undefined;

export const APP_VERSION: string = typeof __VEGA_VERSION__ === 'string' ? __VEGA_VERSION__ : '0.0.0-dev';
