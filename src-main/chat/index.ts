// PLACEHOLDER until the chat module lands (issue 4): replaced wholesale.
import type { ProvidersReport } from '../../src-shared/contract.js';
import { VegaError } from '../../src-shared/errors.js';
import type { EventHub } from '../app/events.js';
import type { Handlers } from '../app/router.js';
import type { ResourceManager } from '../engine/resource-manager.js';

export type ChatHandlers = Pick<Handlers, Extract<keyof Handlers, `chat:${string}`>>;

export interface ChatModule {
  readonly handlers: ChatHandlers;
  providers(): Promise<ProvidersReport>;
}

export async function createChat(_rm: ResourceManager, _events: EventHub): Promise<ChatModule> {
  const missing = (): never => {
    throw new VegaError('INTERNAL', 'Chat is not built yet.');
  };
  const handlers = Object.fromEntries(
    ['chat:list', 'chat:get', 'chat:create', 'chat:update', 'chat:delete', 'chat:send', 'chat:stop', 'chat:regenerate', 'chat:edit', 'chat:confirmTool', 'chat:export', 'chat:models'].map((c) => [c, missing]),
  ) as unknown as ChatHandlers;
  return { handlers, providers: async () => ({ providers: [], loadedModels: [] }) };
}
