import type { EventName, EventPayloads } from '../../src-shared/contract.js';

type Listener<E extends EventName> = (payload: EventPayloads[E]) => void;

/**
 * Events from the services to whichever host forwards them. A listener that
 * throws is isolated: one broken window must not stop the others' updates.
 */
export class EventHub {
  readonly #listeners = new Map<EventName, Set<Listener<never>>>();
  readonly #redact: <T>(payload: T) => T;

  /** `redact` cleans every payload once before any host sees it (secrets stay in main). */
  constructor(redact: <T>(payload: T) => T = (p) => p) {
    this.#redact = redact;
  }

  on<E extends EventName>(event: E, listener: Listener<E>): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
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
