import { request } from 'undici';
import { coalesceTokens } from '../../src-main/chat/coalesce.js';
import { createChat, type ChatModule } from '../../src-main/chat/index.js';
import { Fleet, type FleetOptions } from '../../src-main/providers/fleet/fleet.js';
import { OllamaProvider } from '../../src-main/providers/ollama.js';
import type { StreamPart, StreamRequest } from '../../src-main/providers/llm.js';
import type { ChatEvent } from '../../src-shared/chat.js';
import { tempEngine, type TempEngine } from '../helpers/engine.js';
import { startOllamaStandIn, type OllamaStandIn, type OllamaStandInOptions } from '../helpers/ollama-standin.js';

export const HOSTS = ['127.0.0.1', '127.0.0.2', '127.0.0.3'] as const;

export interface FleetHarness {
  readonly engine: TempEngine;
  /** One stand-in per loopback address, in OLLAMA_HOST's order. */
  readonly servers: OllamaStandIn[];
  readonly chat: ChatModule;
  readonly events: ChatEvent[];
  /** A fleet on the same engine with its own breaker and refresh settings. */
  fleet(opts?: FleetOptions): Fleet;
  /** Chat calls each server has received so far. */
  chats(): number[];
  dispose(): Promise<void>;
}

/** Stand-ins on 127.0.0.1, .2 and .3 (each its own origin in the pool), named in one OLLAMA_HOST list. */
export async function fleetHarness(servers: OllamaStandInOptions[], envText = ''): Promise<FleetHarness> {
  const started = await Promise.all(servers.map((o, i) => startOllamaStandIn({ host: HOSTS[i], ...o })));
  const engine = await tempEngine({ envText: `OLLAMA_HOST=${started.map((s) => s.url).join(',')}\n${envText}` });
  const events: ChatEvent[] = [];
  const chat = await createChat(
    engine.rm,
    coalesceTokens((e) => events.push(e)),
  );
  const rm = engine.rm;
  return {
    engine,
    servers: started,
    chat,
    events,
    fleet: (opts) => new Fleet(rm, new OllamaProvider(rm), 'OLLAMA_HOST', (e) => new OllamaProvider(rm, e), opts),
    chats: () => started.map((s) => s.requests.filter((r) => r.path === '/api/chat').length),
    async dispose() {
      await engine.dispose();
      await Promise.all(started.map((s) => s.close()));
    },
  };
}

/** A whole answer's text, or the error it ended with and the text that came before it. */
export async function answer(
  fleet: Fleet,
  req: Omit<StreamRequest, 'messages'> & { text?: string },
): Promise<{ text: string; error?: Error }> {
  let text = '';
  try {
    for await (const part of fleet.stream({
      messages: [{ role: 'user', content: req.text ?? 'hello there' }],
      ...req,
    }) as AsyncGenerator<StreamPart>) {
      if (part.type === 'token') text += part.text;
    }
    return { text };
  } catch (err) {
    return { text, error: err as Error };
  }
}

/** Load a model on a stand-in the way Ollama's clients do: an empty /api/generate. */
export async function loadOn(server: OllamaStandIn, model: string): Promise<void> {
  const res = await request(`${server.url}/api/generate`, { method: 'POST', body: JSON.stringify({ model, stream: false }) });
  await res.body.dump();
}
