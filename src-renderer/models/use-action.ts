import { useCallback, useState } from 'react';
import { errorValue } from '../api/errors.js';

/** Run a call the person started; its failure becomes the sentence to show (the host's message says the fix). */
export function useAction(): { readonly problem: string | null; readonly act: (work: () => Promise<unknown>) => Promise<void> } {
  const [problem, setProblem] = useState<string | null>(null);
  const act = useCallback(async (work: () => Promise<unknown>) => {
    setProblem(null);
    try {
      await work();
    } catch (err) {
      setProblem(errorValue(err).message);
    }
  }, []);
  return { problem, act };
}
