/**
 * The text streamed into answers since the chat state last saw them. Tokens
 * land here, not in the reducer: appending one costs the same in a message
 * of 2,000 as in an empty one, and only the streaming message's component,
 * subscribed to its id, renders again. The state takes the text back
 * (`take`) when the answer's message changes for another reason (done, an
 * error, a tool call), so it is never shown twice.
 */
export class LiveText {
  readonly #text = new Map<string, string>();
  readonly #listeners = new Map<string, Set<() => void>>();

  get(id: string): string {
    return this.#text.get(id) ?? '';
  }

  append(id: string, text: string): void {
    this.#text.set(id, this.get(id) + text);
    this.#notify(id);
  }

  /** The text held for this message, now the state's to keep. */
  take(id: string): string {
    const text = this.get(id);
    if (this.#text.delete(id)) this.#notify(id);
    return text;
  }

  /** Every message's held text, taken. */
  takeAll(): [id: string, text: string][] {
    const all = [...this.#text];
    for (const [id] of all) this.take(id);
    return all;
  }

  /** For useSyncExternalStore: `subscribe(id)` is stable per id only if the caller memoizes it. */
  subscribe(id: string, listener: () => void): () => void {
    let set = this.#listeners.get(id);
    if (!set) this.#listeners.set(id, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (!set.size) this.#listeners.delete(id);
    };
  }

  #notify(id: string): void {
    for (const l of this.#listeners.get(id) ?? []) l();
  }
}
