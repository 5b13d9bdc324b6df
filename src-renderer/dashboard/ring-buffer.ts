/**
 * A fixed-capacity FIFO: pushing past capacity overwrites the oldest item.
 * The dashboard keeps each window's chart points without ever growing or
 * copying on push.
 */
export class RingBuffer<T> {
  readonly capacity: number;
  readonly #items: (T | undefined)[];
  /** Index of the oldest item. */
  #head = 0;
  #size = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
    this.capacity = capacity;
    this.#items = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.#size;
  }

  push(item: T): void {
    const tail = (this.#head + this.#size) % this.capacity;
    this.#items[tail] = item;
    if (this.#size < this.capacity) this.#size++;
    else this.#head = (this.#head + 1) % this.capacity;
  }

  /** 0 is the oldest item; negative counts from the newest (-1 is the newest). */
  at(index: number): T | undefined {
    const i = index < 0 ? this.#size + index : index;
    if (i < 0 || i >= this.#size) return undefined;
    return this.#items[(this.#head + i) % this.capacity];
  }

  last(): T | undefined {
    return this.at(-1);
  }

  /** Oldest first. */
  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.#size; i++) out.push(this.#items[(this.#head + i) % this.capacity] as T);
    return out;
  }

  /** The newest items for which `keep` holds, stopping at the first that does not; oldest first. */
  takeLastWhile(keep: (item: T) => boolean): T[] {
    let n = 0;
    while (n < this.#size && keep(this.at(this.#size - 1 - n) as T)) n++;
    const out: T[] = [];
    for (let i = this.#size - n; i < this.#size; i++) out.push(this.at(i) as T);
    return out;
  }

  clear(): void {
    this.#items.fill(undefined);
    this.#head = 0;
    this.#size = 0;
  }
}

/** The items of the last `windowMs` before the newest one (time-ordered items). */
export function windowSlice<T extends { readonly t: number }>(buffer: RingBuffer<T>, windowMs: number): T[] {
  const newest = buffer.last();
  if (!newest) return [];
  const from = newest.t - windowMs;
  return buffer.takeLastWhile((s) => s.t > from);
}
