/**
 * Redacts a text that arrives in pieces (an answer's tokens): a secret cut
 * across two pieces, each harmless alone, must not go out. What may be the
 * start of a secret waits for the next piece; everything before it is
 * redacted and goes at once, so an answer streams as before unless its end
 * looks like the start of a secret.
 */
export class StreamScrubber {
  readonly #redact: (text: string) => string;
  readonly #cut: (text: string) => number;
  #held = '';

  /** `cut`: how much of a text may go now (the engine's SecretScrubber.streamCut). */
  constructor(redact: (text: string) => string, cut: (text: string) => number) {
    this.#redact = redact;
    this.#cut = cut;
  }

  /** What may go out now ('' while it all waits). */
  push(piece: string): string {
    const text = this.#held + piece;
    const cut = this.#cut(text);
    this.#held = text.slice(cut);
    return this.#redact(text.slice(0, cut));
  }

  /** The rest, at the end of the stream. */
  end(): string {
    const rest = this.#redact(this.#held);
    this.#held = '';
    return rest;
  }
}
