// Types for after-extract.mjs (its test imports it from TypeScript).
export function electronLeftovers(appOutDir: string, platformName: string, macAppName?: string): string[];
export function afterExtract(context: {
  appOutDir: string;
  electronPlatformName: string;
  packager: { info: { framework: { distMacOsAppName?: string } } };
}): Promise<void>;
