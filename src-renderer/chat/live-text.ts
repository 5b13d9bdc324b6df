/**
 * Streamed text is shown at most this often: each showing re-parses the
 * answer's open Markdown block and lays the page out again, and at 100
 * tokens/s one per frame kept the renderer ~45% busy. 20 a second still
 * reads as a smooth stream. The first text after a pause shows at once.
 */
export const SHOW_EVERY_MS = 50;

/**
 * The text streamed into answers since the chat state last saw them. Tokens
 * land here, not in the reducer: appending one costs the same in a
 * conversation of 2,000 messages as in an empty one, and only the streaming
 * message's component, subscribed to its id, renders again. The state takes
 * the text back (`takeAll`) before anything else changes those messages
 * (done, an error, a tool call, Stop), so it is never lost or shown twice.
 */
export class LiveText {
  /** Everything held, including what arrived since the listeners were last told. */
  readonly #text = new Map<string, string>();
  /** What the listeners were last told: a snapshot that changes only when they are. */
  readonly #shown = new Map<string, string>();
  readonly #listeners = new Map<string, Set<() => void>>();
  readonly #everyMs: number;
  #lastShownAt = -Infinity;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(everyMs = SHOW_EVERY_MS) {
    this.#everyMs = everyMs;
  }

  get(id: string): string {
    return this.#shown.get(id) ?? '';
  }

  append(id: string, text: string): void {
    this.#text.set(id, (this.#text.get(id) ?? '') + text);
    if (this.#timer !== undefined) return;
    const wait = this.#lastShownAt + this.#everyMs - performance.now();
    if (wait <= 0) this.#show();
    else this.#timer = setTimeout(() => this.#show(), wait);
  }

  /** Every message's held text, now the caller's to keep (or drop). */
  takeAll(): [id: string, text: string][] {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const all = [...this.#text];
    const ids = new Set([...this.#text.keys(), ...this.#shown.keys()]);
    this.#text.clear();
    this.#shown.clear();
    for (const id of ids) this.#notify(id);
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

  #show(): void {
    this.#timer = undefined;
    this.#lastShownAt = performance.now();
    for (const [id, text] of this.#text) {
      if (this.#shown.get(id) === text) continue;
      this.#shown.set(id, text);
      this.#notify(id);
    }
  }

  #notify(id: string): void {
    for (const l of this.#listeners.get(id) ?? []) l();
  }
}
