// Types for build.mjs (the attachment tests build the worker from TypeScript).
export function buildAttachmentWorker(outfile?: string): Promise<unknown>;
export function buildElectron(outDir?: string): Promise<void>;
export function build(opts?: { quiet?: boolean }): Promise<void>;
export function isStale(): boolean;
