import { mkdirSync } from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

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

  scrub(text: string): string {
    for (const s of this.#secrets) if (text.includes(s)) text = text.split(s).join('[redacted]');
    return text;
  }
}

export interface LoggerOptions {
  readonly dataDir: string;
  readonly level?: string;
  /** Readable lines on stdout as well as JSON lines in the file. */
  readonly console?: boolean;
}

export interface VegaLogger {
  readonly logger: Logger;
  readonly scrubber: SecretScrubber;
  readonly file: string;
  flush(): void;
}

const REDACT_PATHS = ['*.apiKey', '*.token', '*.password', 'headers.authorization', 'headers["x-api-key"]', 'req.headers.authorization', 'req.headers["x-api-key"]'];

export function createLogger(opts: LoggerOptions): VegaLogger {
  const dir = path.join(opts.dataDir, 'logs');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'vega.log');
  const scrubber = new SecretScrubber();
  const fileStream = pino.destination({ dest: file, sync: true, mkdir: true });
  const streams: pino.StreamEntry[] = [{ level: 'trace', stream: scrubbed(fileStream, scrubber) }];
  if (opts.console) {
    streams.push({ level: 'trace', stream: scrubbed(pretty({ sync: true, colorize: process.stdout.isTTY, ignore: 'pid,hostname,phase,step', singleLine: true, translateTime: 'HH:MM:ss' }), scrubber) });
  }
  const logger = pino(
    { level: opts.level ?? 'info', redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: undefined },
    pino.multistream(streams),
  );
  return { logger, scrubber, file, flush: () => fileStream.flushSync() };
}

function scrubbed(stream: { write(chunk: string): unknown }, scrubber: SecretScrubber): { write(line: string): void } {
  return { write: (line: string) => void stream.write(scrubber.scrub(line)) };
}
