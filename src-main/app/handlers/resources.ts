import type { ChatModule } from '../../chat/index.js';
import type { ResourceManager } from '../../engine/resource-manager.js';
import type { Integrations } from '../../integrations/index.js';
import type { McpModule } from '../../mcp/index.js';
import type { HandlersOf } from '../router.js';

/** `resources:*`: what the engine spends and whom it talks to, the dashboard's data. */
export function resourcesHandlers(
  rm: ResourceManager,
  chat: ChatModule,
  integrations: Integrations,
  mcp: McpModule,
): HandlersOf<'resources'> {
  return {
    'resources:snapshot': () => ({ ...rm.snapshot(), mcp: mcp.snapshot() }),
    'resources:health': () => rm.health(),
    'resources:requests': ({ limit }) => rm.recentRequests(limit),
    'resources:providers': async () => {
      const [llm, integrationHealth] = await Promise.all([chat.providers(), integrations.health()]);
      return { ...llm, providers: [...llm.providers, ...integrationHealth, ...mcp.health()], integrations: integrations.stats() };
    },
    'resources:invalidateCache': () => {
      rm.invalidateConfig();
      return { invalidated: true };
    },
  };
}
