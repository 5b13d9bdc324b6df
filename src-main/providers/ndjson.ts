/**
 * Newline-delimited JSON from a byte stream that may cut anywhere: inside a
 * line, between several lines, or inside a UTF-8 character.
 */
export class NdjsonDecoder {
  readonly #decoder = new TextDecoder('utf-8');
  #rest = '';

  /** The complete lines this chunk finishes, parsed; blank lines are skipped. */
  push(chunk: Uint8Array): unknown[] {
    this.#rest += this.#decoder.decode(chunk, { stream: true });
    const out: unknown[] = [];
    let nl: number;
    while ((nl = this.#rest.indexOf('\n')) !== -1) {
      const line = this.#rest.slice(0, nl).trim();
      this.#rest = this.#rest.slice(nl + 1);
      if (line) out.push(JSON.parse(line));
    }
    return out;
  }

  /** A final line without a newline still counts, as Ollama may omit the last one. */
  end(): unknown[] {
    this.#rest += this.#decoder.decode();
    const line = this.#rest.trim();
    this.#rest = '';
    return line ? [JSON.parse(line)] : [];
  }
}
