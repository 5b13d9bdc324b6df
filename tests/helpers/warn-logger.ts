import { Writable } from 'node:stream';
import pino from 'pino';

/** A pino logger at `warn` whose lines land in `sink` (read it after the code under test ran). */
export function warnLogger(sink: string[]): pino.Logger {
  return pino(
    { level: 'warn' },
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        sink.push(String(chunk));
        cb();
      },
    }),
  );
}
