import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildAttachmentWorker } from '../../scripts/build.mjs';
import { afterAll } from 'vitest';
import type { WorkerFile } from '../../src-main/attachments/extract.js';
import type { VegaApi } from '../../src-shared/api.js';
import type { AttachmentRef } from '../../src-shared/attachments.js';
import type { VegaErrorValue } from '../../src-shared/errors.js';

let built: Promise<WorkerFile> | undefined;
let builtDir: string | undefined;

// Registered on each test file that imports this module: its built worker goes with it.
afterAll(() => {
  if (builtDir) rmSync(builtDir, { recursive: true, force: true });
});

/** The worker as shipped (scripts/build.mjs), built once per test file into a temp folder. */
export function builtWorker(): Promise<WorkerFile> {
  built ??= (async () => {
    builtDir = mkdtempSync(path.join(os.tmpdir(), 'vega-worker-'));
    const file = path.join(builtDir, 'attachment-worker.mjs');
    await buildAttachmentWorker(file);
    return { file, source: false };
  })();
  return built;
}

/** A call's typed error, or a failure when it succeeded. */
export async function refusal(call: Promise<unknown>): Promise<VegaErrorValue & { details?: Record<string, unknown> }> {
  try {
    await call;
  } catch (err) {
    const e = err as VegaErrorValue & { details?: Record<string, unknown> };
    return { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) };
  }
  throw new Error('the call succeeded; a refusal was expected');
}

/** Add a file over the contract as the web window does (base64 in a JSON frame). */
export async function add(api: VegaApi, name: string, bytes: Uint8Array, thumbnail?: Uint8Array): Promise<AttachmentRef> {
  const { ref } = await api.attachments.add({
    name,
    data: Buffer.from(bytes).toString('base64'),
    ...(thumbnail ? { thumbnail: Buffer.from(thumbnail).toString('base64') } : {}),
  });
  return ref;
}
