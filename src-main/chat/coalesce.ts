import type { ChatEvent } from '../../src-shared/chat.js';

type TokenEvent = Extract<ChatEvent, { type: 'token' }>;

/**
 * Tokens that arrive within one turn of the event loop leave as one event:
 * a fast model (or a burst after a stall) would otherwise cost one IPC
 * message or WebSocket frame per token, and the window would fall behind.
 * Order is kept: any other event first flushes the tokens held before it.
 */
export function coalesceTokens(emit: (e: ChatEvent) => void): (e: ChatEvent) => void {
  let held: TokenEvent | undefined;
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    if (!held) return;
    const e = held;
    held = undefined;
    emit(e);
  };
  return (e) => {
    if (e.type !== 'token') {
      flush();
      emit(e);
      return;
    }
    if (held && held.messageId === e.messageId && held.conversationId === e.conversationId) {
      held = { ...held, text: held.text + e.text };
    } else {
      flush();
      held = e;
    }
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
}
