/**
 * Tokens from a running turn to one reader, in order. The producer never
 * waits; the reader gets what arrived since its last read, then the end or
 * the error.
 */
export class TokenQueue implements AsyncIterable<string> {
  readonly #items: string[] = [];
  #ended = false;
  #error: unknown;
  #wake: (() => void) | undefined;
  readonly #onReturn: () => void;

  constructor(onReturn: () => void) {
    this.#onReturn = onReturn;
  }

  push(text: string): void {
    if (this.#ended) return;
    this.#items.push(text);
    this.#wake?.();
  }

  end(error?: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#error = error;
    this.#wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<string, void, undefined> {
    let finished = false;
    try {
      for (;;) {
        while (this.#items.length) yield this.#items.shift()!;
        if (this.#ended) {
          finished = true;
          // eslint-disable-next-line @typescript-eslint/only-throw-error -- the reader gets the producer's failure as it came
          if (this.#error !== undefined) throw this.#error;
          return;
        }
        await new Promise<void>((resolve) => (this.#wake = resolve));
        this.#wake = undefined;
      }
    } finally {
      // The reader left early (a closed HTTP response): stop the answer it was reading.
      if (!finished) this.#onReturn();
    }
  }
}
