import type { StreamRequest } from './llm.js';

/** The context size and a caller's sampling wishes in Ollama's words (its `options`); undefined when there are none. */
export function ollamaOptions(req: StreamRequest): Record<string, unknown> | undefined {
  const s = req.sampling;
  const options = defined({
    num_ctx: req.numCtx || undefined,
    temperature: s?.temperature,
    top_p: s?.topP,
    num_predict: s?.maxTokens,
    stop: s?.stop,
    seed: s?.seed,
  });
  return Object.keys(options).length ? options : undefined;
}

/** A caller's sampling wishes under OpenAI's own names, for the top level of the body; only those given. */
export function openAISampling(req: StreamRequest): Record<string, unknown> {
  const s = req.sampling;
  return s ? defined({ temperature: s.temperature, top_p: s.topP, max_tokens: s.maxTokens, stop: s.stop, seed: s.seed }) : {};
}

function defined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
