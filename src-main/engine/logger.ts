import { readdirSync } from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import roll from 'pino-roll';
import { PRIVATE_FILE_MODE, privateDir } from './private-files.js';

export type { Logger } from 'pino';

/**
 * Replaces known secret values in every serialized log line, whatever field
 * or message they hide in. Secrets are learnt from the config on each load.
 */
export class SecretScrubber {
  #fromConfig: string[] = [];
  readonly #extra = new Set<string>();
  #secrets: string[] = [];

  /** The secrets of the current config (replaces the previous config's). */
  set(values: Iterable<string>): void {
    this.#fromConfig = [...values];
    this.#rebuild();
  }

  /** A secret that is not in the config, e.g. a generated API key. */
  add(value: string): void {
    this.#extra.add(value);
    this.#rebuild();
  }

  #rebuild(): void {
    // Longest first, so a secret that contains another is replaced whole.
    this.#secrets = [...new Set([...this.#fromConfig, ...this.#extra])].filter((v) => v.length >= 4).sort((a, b) => b.length - a.length);
  }

  /**
   * How much of a text that is still arriving (an answer's tokens) may be
   * scrubbed and sent now: all of it up to the first place where a secret
   * may be starting that the text cuts short, or a whole secret crossing
   * that place. The rest waits for the next piece; usually nothing does.
   */
  streamCut(text: string): number {
    let cut = text.length;
    for (const s of this.#secrets) {
      for (let i = Math.max(0, text.length - s.length + 1); i < cut; i++) {
        if (text.charCodeAt(i) === s.charCodeAt(0) && s.startsWith(text.slice(i))) {
          cut = i;
          break;
        }
      }
    }
    for (let moved = true; moved;) {
      moved = false;
      for (const s of this.#secrets) {
        const i = text.indexOf(s, Math.max(0, cut - s.length + 1));
        if (i !== -1 && i < cut) {
          cut = i;
          moved = true;
        }
      }
    }
    return cut;
  }

  scrub(text: string): string {
    for (const s of this.#secrets) if (text.includes(s)) text = text.split(s).join('[redacted]');
    return text;
  }

  /** The same for every string inside a value headed out of main (an event, a call's answer). */
  scrubDeep<T>(value: T): T {
    return this.#secrets.length ? (this.#deep(value) as T) : value;
  }

  #deep(v: unknown): unknown {
    if (typeof v === 'string') return this.scrub(v);
    if (Array.isArray(v)) return v.map((x) => this.#deep(x));
    if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.#deep(x)]));
    }
    return v;
  }
}

export interface LoggerOptions {
  readonly dataDir: string;
  readonly level?: string;
  /** Readable lines on stdout as well as JSON lines in the file. */
  readonly console?: boolean;
  /** Rotation size; LOG_FILE_BYTES unless a test wants it small. */
  readonly fileBytes?: number;
}

export interface VegaLogger {
  readonly logger: Logger;
  readonly scrubber: SecretScrubber;
  /** The folder of the rotated files vega.1.log, vega.2.log, … (the highest is current). */
  readonly dir: string;
  flush(): void;
  /** Flush and close the file; lines logged afterwards go to the console only. */
  close(): void;
}

/** Rotation: 10 MiB a file, the current one and 4 before it. */
export const LOG_FILE_BYTES = 10 * 1024 * 1024;
export const LOG_FILES_KEPT = 5;

const REDACT_PATHS = [
  '*.apiKey',
  '*.token',
  '*.password',
  'headers.authorization',
  'headers["x-api-key"]',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
];

export async function createLogger(opts: LoggerOptions): Promise<VegaLogger> {
  const dir = path.join(opts.dataDir, 'logs');
  await privateDir(dir, { contents: true });
  const scrubber = new SecretScrubber();
  // Synchronous writes: a line logged just before a crash is on disk.
  const fileStream = await roll({
    file: path.join(dir, 'vega'),
    extension: '.log',
    size: `${Math.max(1, Math.round((opts.fileBytes ?? LOG_FILE_BYTES) / 1024))}k`,
    limit: { count: LOG_FILES_KEPT - 1 },
    sync: true,
    mkdir: true,
    mode: PRIVATE_FILE_MODE,
  });
  let fileOpen = true;
  const toFile = { write: (line: string) => void (fileOpen && fileStream.write(line)) };
  const streams: pino.StreamEntry[] = [{ level: 'trace', stream: scrubbed(toFile, scrubber) }];
  if (opts.console) {
    streams.push({
      level: 'trace',
      stream: scrubbed(
        pretty({
          sync: true,
          colorize: process.stdout.isTTY,
          ignore: 'pid,hostname,phase,step',
          singleLine: true,
          translateTime: 'HH:MM:ss',
        }),
        scrubber,
      ),
    });
  }
  const logger = pino(
    { level: opts.level ?? 'info', redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: undefined },
    pino.multistream(streams),
  );
  return {
    logger,
    scrubber,
    dir,
    flush: () => fileOpen && fileStream.flushSync(),
    close: () => {
      if (!fileOpen) return;
      fileStream.flushSync();
      fileOpen = false;
      fileStream.end();
    },
  };
}

function scrubbed(stream: { write(chunk: string): unknown }, scrubber: SecretScrubber): { write(line: string): void } {
  return { write: (line: string) => void stream.write(scrubber.scrub(line)) };
}

/** Log files, oldest first. */
export function logFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .map((n) => ({ n, i: Number(/^vega\.(\d+)\.log$/.exec(n)?.[1] ?? NaN) }))
    .filter((f) => Number.isFinite(f.i))
    .sort((a, b) => a.i - b.i)
    .map((f) => path.join(dir, f.n));
}
