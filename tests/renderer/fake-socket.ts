import type { SocketLike } from '../../src-renderer/api/ws-transport.js';

/** A stand-in for the browser WebSocket: the test opens, feeds and drops it. */
export class FakeSocket implements SocketLike {
  readyState = 0;
  onopen: ((ev: Event) => void) | null = null;
  onmessage: ((ev: MessageEvent) => void) | null = null;
  onclose: ((ev: CloseEvent) => void) | null = null;
  onerror: ((ev: Event) => void) | null = null;
  readonly sent: { id: number; channel: string; params: unknown; requestId?: string }[] = [];
  closedWith: number | null = null;

  constructor(
    readonly url: string,
    /** Answers frames like the host would, if given. */
    private readonly answer?: (frame: { id: number; channel: string; params: unknown }) => unknown,
  ) {}

  send(data: string): void {
    const frame = JSON.parse(data) as { id: number; channel: string; params: unknown };
    this.sent.push(frame);
    if (this.answer) {
      const value = this.answer(frame);
      queueMicrotask(() => this.receive({ id: frame.id, ok: true, value }));
    }
  }

  close(code = 1000): void {
    this.closedWith = code;
    this.readyState = 3;
  }

  // ---- driven by the test ----
  open(): void {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }

  receive(frame: unknown): void {
    this.onmessage?.({ data: JSON.stringify(frame) } as MessageEvent);
  }

  /** The server (or the network) closes it. 1006: never opened / dropped. */
  drop(code = 1006): void {
    this.readyState = 3;
    this.onerror?.(new Event('error'));
    this.onclose?.({ code, reason: '', wasClean: false } as CloseEvent);
  }
}

/** A socket factory that records every socket made. */
export function socketFactory(answer?: ConstructorParameters<typeof FakeSocket>[1]) {
  const sockets: FakeSocket[] = [];
  return {
    sockets,
    make: (url: string) => {
      const s = new FakeSocket(url, answer);
      sockets.push(s);
      return s;
    },
    last: () => {
      const s = sockets[sockets.length - 1];
      if (!s) throw new Error('no socket made yet');
      return s;
    },
  };
}
