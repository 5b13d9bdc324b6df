// pino-roll ships no typings; this is the part Vega uses.
declare module 'pino-roll' {
  // A named import: under NodeNext the default import of this CommonJS package is its whole module.
  import type { SonicBoom } from 'sonic-boom';
  interface PinoRollOptions {
    file: string;
    size?: string | number;
    frequency?: string | number;
    extension?: string;
    limit?: { count?: number; removeOtherLogFiles?: boolean };
    sync?: boolean;
    mkdir?: boolean;
    /** Passed on to sonic-boom: the mode of each log file it creates. */
    mode?: number;
  }
  export default function roll(options: PinoRollOptions): Promise<SonicBoom>;
}
