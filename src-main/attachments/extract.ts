import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import type { InspectJob, Inspection } from './inspection.js';

export interface ExtractBounds {
  /** Time for one file, worker start included (20 s). */
  readonly timeoutMs: number;
  /** The worker's heap, MB (256): a document that inflates past it ends its worker, not Vega. */
  readonly heapMb: number;
}

export const DEFAULT_BOUNDS: ExtractBounds = { timeoutMs: 20_000, heapMb: 256 };

/** Where the worker's code is: a bundled file, or the TypeScript source (run through tsx). */
export interface WorkerFile {
  readonly file: string;
  readonly source: boolean;
}

/**
 * out/main/attachment-worker.mjs, beside the Electron bundle and one folder
 * over from the web host's (scripts/build.mjs); unpacked from the app's asar
 * archive, where a worker cannot start; from source (tests, dev): worker.ts.
 */
export function defaultWorkerFile(): WorkerFile {
  for (const rel of ['./attachment-worker.mjs', '../main/attachment-worker.mjs']) {
    const bundled = fileURLToPath(new URL(rel, import.meta.url)).replace(/app\.asar([\\/])/, 'app.asar.unpacked$1');
    if (existsSync(bundled)) return { file: bundled, source: false };
  }
  return { file: fileURLToPath(new URL('./worker.ts', import.meta.url)), source: true };
}

function startWorker(w: WorkerFile, options: WorkerOptions): Worker {
  if (!w.source) return new Worker(w.file, options);
  // `--import tsx` in a worker's execArgv does not reach its first module on Node 20: register tsx, then load it.
  const code = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(pathToFileURL(w.file).href)}); })`;
  return new Worker(code, { ...options, eval: true });
}

/** Inspect one file in its own worker, ended when its time is up or its memory runs out; never throws. */
export function extractInWorker(job: InspectJob, bounds: ExtractBounds, worker: WorkerFile = defaultWorkerFile()): Promise<Inspection> {
  return new Promise((resolve) => {
    const w = startWorker(worker, {
      workerData: job,
      resourceLimits: { maxOldGenerationSizeMb: bounds.heapMb, maxYoungGenerationSizeMb: 32, stackSizeMb: 4 },
      // What pdfjs prints about a stranger's file is noise: the answer is the worker's message.
      stdout: true,
      stderr: true,
    });
    w.stdout.resume();
    w.stderr.resume();
    let settled = false;
    const settle = (result: Inspection) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void w.terminate();
      resolve(result);
    };
    const timer = setTimeout(
      () =>
        settle({
          ok: false,
          code: 'attachment_timeout',
          message: `Reading the file's text took longer than ${bounds.timeoutMs / 1000} s and was stopped.`,
        }),
      bounds.timeoutMs,
    );
    w.once('message', (m: Inspection) => settle(m));
    w.once('error', (err: Error & { code?: string }) =>
      settle(
        err.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? {
              ok: false,
              code: 'attachment_bomb',
              message: `Reading the file needed more than ${bounds.heapMb} MB of memory and was stopped.`,
            }
          : { ok: false, code: 'attachment_corrupt', message: 'The file could not be read; it may be damaged.' },
      ),
    );
    w.once('exit', () => settle({ ok: false, code: 'attachment_corrupt', message: 'The file could not be read; it may be damaged.' }));
  });
}
