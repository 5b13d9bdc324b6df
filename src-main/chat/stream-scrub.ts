/**
 * Redacts a text that arrives in pieces (an answer's tokens): a secret cut
 * across two pieces, each harmless alone, must not go out. It holds back as
 * many characters as the longest secret has, less one, so no part of a
 * secret leaves before the whole of it has been seen and replaced.
 */
export class StreamScrubber {
  readonly #redact: (text: string) => string;
  readonly #hold: number;
  #held = '';

  constructor(redact: (text: string) => string, longestSecret: number) {
    this.#redact = redact;
    this.#hold = Math.max(0, longestSecret - 1);
  }

  /** What of the text so far may go out now ('' while it is all held back). */
  push(piece: string): string {
    const text = this.#redact(this.#held + piece);
    const cut = text.length - this.#hold;
    if (cut <= 0) {
      this.#held = text;
      return '';
    }
    this.#held = text.slice(cut);
    return text.slice(0, cut);
  }

  /** The rest, at the end of the stream. */
  end(): string {
    const rest = this.#redact(this.#held);
    this.#held = '';
    return rest;
  }
}
