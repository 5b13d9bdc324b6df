// The extraction worker: one file per worker, which the main process ends when its time is up.
import { parentPort, workerData } from 'node:worker_threads';
import { inspect } from './inspect.js';
import type { InspectJob } from './inspection.js';

const job = workerData as InspectJob;
parentPort?.postMessage(await inspect(job.bytes, job.maxChars));
