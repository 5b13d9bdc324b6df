import type { EventName, EventPayloads } from '../../src-shared/contract.js';

type Listener<E extends EventName> = (payload: EventPayloads[E]) => void;

/**
 * Events from the services to whichever host forwards them. A listener that
 * throws is isolated: one broken window must not stop the others' updates.
 */
export class EventHub {
  readonly #listeners = new Map<EventName, Set<Listener<never>>>();
  readonly #redact: <T>(payload: T) => T;
  readonly #watchers = new Map<EventName, Set<(count: number) => void>>();

  /** `redact` cleans every payload once before any host sees it (secrets stay in main). */
  constructor(redact: <T>(payload: T) => T = (p) => p) {
    this.#redact = redact;
  }

  on<E extends EventName>(event: E, listener: Listener<E>): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    const before = set.size;
    set.add(listener);
    if (set.size !== before) this.#counted(event, set.size);
    return () => {
      if (set.delete(listener)) this.#counted(event, set.size);
    };
  }

  /**
   * Told the event's listener count each time it changes: a producer that
   * works only for listeners (the dashboard's tick) starts and stops with them.
   */
  onListenerCount(event: EventName, watcher: (count: number) => void): () => void {
    let set = this.#watchers.get(event);
    if (!set) this.#watchers.set(event, (set = new Set()));
    set.add(watcher);
    return () => set.delete(watcher);
  }

  #counted(event: EventName, count: number): void {
    for (const w of this.#watchers.get(event) ?? []) w(count);
  }

  emit<E extends EventName>(event: E, payload: EventPayloads[E]): void {
    const set = this.#listeners.get(event);
    if (!set?.size) return;
    payload = this.#redact(payload);
    for (const l of set) {
      try {
        (l as Listener<E>)(payload);
      } catch {
        // A failing listener is its host's problem; the rest still receive the event.
      }
    }
  }

  listenerCount(event: EventName): number {
    return this.#listeners.get(event)?.size ?? 0;
  }
}
