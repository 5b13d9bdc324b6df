import { useEffect, useState } from 'react';
import type { VegaApi } from '../../src-shared/api.js';
import type { ChatMessage, ConversationSummary } from '../../src-shared/chat.js';
import type { ModelDetails } from '../../src-shared/models.js';

export interface ContextUse {
  /** Tokens the last exchange took (its prompt and its answer), as the provider counted them. */
  readonly used: number;
  /** The conversation's window: its num_ctx, else the model's; null where the provider does not say. */
  readonly limit: number | null;
}

// Details of a model do not change while it is installed: asked once per window.
const details = new WeakMap<VegaApi, Map<string, Promise<ModelDetails | null>>>();

function detailsOf(api: VegaApi, model: string): Promise<ModelDetails | null> {
  let byModel = details.get(api);
  if (!byModel) details.set(api, (byModel = new Map<string, Promise<ModelDetails | null>>()));
  let d = byModel.get(model);
  if (!d) {
    d = api.models.show({ name: model }).catch(() => {
      byModel.delete(model);
      return null;
    });
    byModel.set(model, d);
  }
  return d;
}

/** How full the open conversation's context window is, from the counts its provider returned. */
export function useContextWindow(api: VegaApi, conversation: ConversationSummary | null, messages: readonly ChatMessage[]): ContextUse {
  const [modelLimit, setModelLimit] = useState<{ model: string; limit: number | null } | null>(null);
  const provider = conversation?.provider;
  const model = conversation?.model;
  useEffect(() => {
    if (provider !== 'ollama' || !model) return;
    let live = true;
    void detailsOf(api, model).then((d) => {
      if (live) setModelLimit({ model, limit: d ? (d.defaultNumCtx ?? d.contextLength) : null });
    });
    return () => {
      live = false;
    };
  }, [api, provider, model]);

  let used = 0;
  for (let i = messages.length - 1; i >= 0; i--) {
    const s = messages[i]!.stats;
    if (messages[i]!.role === 'assistant' && s?.promptTokens !== undefined) {
      used = s.promptTokens + (s.evalTokens ?? 0);
      break;
    }
  }
  if (provider !== 'ollama') return { used, limit: null };
  return { used, limit: conversation?.numCtx || (modelLimit && modelLimit.model === model ? modelLimit.limit : null) };
}
