import type { McpModule } from '../../mcp/index.js';
import type { HandlersOf } from '../router.js';

/** `mcp:*`: the MCP servers' settings and state; env and header values never leave main. */
export function mcpHandlers(mcp: McpModule): HandlersOf<'mcp'> {
  return {
    'mcp:list': () => mcp.status(),
    'mcp:save': (p) => mcp.save(p),
    'mcp:restart': ({ name }) => mcp.restart(name),
  };
}
