import { VegaError, type VegaErrorValue } from '../../src-shared/errors.js';

/** Whatever a call threw, as the `{code, message}` the UI shows (the host's message already says what to do). */
export function errorValue(err: unknown): VegaErrorValue {
  if (err instanceof VegaError) return err.toJSON();
  return { code: 'INTERNAL', message: err instanceof Error && err.message ? err.message : 'Something went wrong.' };
}
