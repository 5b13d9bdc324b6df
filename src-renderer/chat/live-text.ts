/**
 * The text streamed into answers since the chat state last saw them. Tokens
 * land here, not in the reducer: appending one costs the same in a
 * conversation of 2,000 messages as in an empty one, and only the streaming
 * message's component, subscribed to its id, renders again. The state takes
 * the text back (`takeAll`) before anything else changes those messages
 * (done, an error, a tool call, Stop), so it is never lost or shown twice.
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

  /** Every message's held text, now the caller's to keep (or drop). */
  takeAll(): [id: string, text: string][] {
    const all = [...this.#text];
    this.#text.clear();
    for (const [id] of all) this.#notify(id);
    return all;
  }

  /** For useSyncExternalStore; the caller keeps the function stable per id. */
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
