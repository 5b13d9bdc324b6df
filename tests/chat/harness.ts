import { coalesceTokens } from '../../src-main/chat/coalesce.js';
import { createChat, type ChatModule, type ChatOptions } from '../../src-main/chat/index.js';
import { withDeadline } from '../../src-main/engine/deadline.js';
import type { ChatEvent, ChatMessage } from '../../src-shared/chat.js';
import { tempEngine, type TempEngine } from '../helpers/engine.js';
import { startOllamaStandIn, type OllamaStandIn, type OllamaStandInOptions } from '../helpers/ollama-standin.js';

export interface ChatHarness {
  readonly engine: TempEngine;
  readonly ollama: OllamaStandIn;
  readonly chat: ChatModule;
  readonly events: ChatEvent[];
  /** The final message of the conversation's running (or last) answer, bounded. */
  done(conversationId: string, ms?: number): Promise<ChatMessage>;
  /** A second engine + chat over the same data dir: "after a restart". */
  restart(): Promise<{ engine: TempEngine; chat: ChatModule; events: ChatEvent[] }>;
  dispose(): Promise<void>;
}

/** An engine on a temp dir whose OLLAMA_HOST is a fresh stand-in, and the chat module on it. */
export async function chatHarness(
  opts: { envText?: string; ollama?: OllamaStandInOptions; chat?: ChatOptions } = {},
): Promise<ChatHarness> {
  const ollama = await startOllamaStandIn(opts.ollama);
  const envText = `OLLAMA_HOST=${ollama.url}\n${opts.envText ?? ''}`;
  const engine = await tempEngine({ envText });
  const events: ChatEvent[] = [];
  // Coalesced as the app forwards them, so tests see what a window sees.
  const chat = await createChat(
    engine.rm,
    coalesceTokens((e) => events.push(e)),
    opts.chat,
  );
  const extra: TempEngine[] = [];
  return {
    engine,
    ollama,
    chat,
    events,
    done: (conversationId, ms) => turnDone(chat, events, conversationId, ms),
    async restart() {
      await engine.rm.shutdown();
      const e2 = await tempEngine({ envText, env: { VEGA_DATA_DIR: engine.rm.dataDir } });
      extra.push(e2);
      const events2: ChatEvent[] = [];
      return {
        engine: e2,
        chat: await createChat(
          e2.rm,
          coalesceTokens((e) => events2.push(e)),
          opts.chat,
        ),
        events: events2,
      };
    },
    async dispose() {
      for (const e of extra) await e.dispose();
      await engine.dispose();
      await ollama.close();
    },
  };
}

/** The final message of the conversation's running answer (or of its last one), bounded. */
export async function turnDone(chat: ChatModule, events: ChatEvent[], conversationId: string, ms = 5_000): Promise<ChatMessage> {
  const turn = chat.service.running(conversationId);
  if (turn) {
    return withDeadline(ms, () => turn.done, {
      onLate: () => {
        throw new Error(`answer not done within ${ms} ms`);
      },
    });
  }
  const last = events
    .filter((e): e is Extract<ChatEvent, { type: 'done' }> => e.type === 'done' && e.conversationId === conversationId)
    .at(-1);
  if (!last) throw new Error('no answer ran in this conversation');
  return last.message;
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
