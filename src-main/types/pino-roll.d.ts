// pino-roll ships no typings; this is the part Vega uses.
declare module 'pino-roll' {
  import type SonicBoom from 'sonic-boom';
  interface PinoRollOptions {
    file: string;
    size?: string | number;
    frequency?: string | number;
    extension?: string;
    limit?: { count?: number; removeOtherLogFiles?: boolean };
    sync?: boolean;
    mkdir?: boolean;
  }
  export default function roll(options: PinoRollOptions): Promise<SonicBoom>;
}
