/**
 * The names of every call and event, and nothing else: a module without zod,
 * so the sandboxed preload can check a channel without bundling the schemas.
 * contract.ts holds the schema of each name and the compiler keeps the two in step.
 */
export const CALL_NAMES = [
  'chat:list',
  'chat:get',
  'chat:create',
  'chat:update',
  'chat:delete',
  'chat:send',
  'chat:stop',
  'chat:regenerate',
  'chat:edit',
  'chat:confirmTool',
  'chat:export',
  'chat:models',
  'resources:snapshot',
  'resources:health',
  'resources:requests',
  'resources:providers',
  'resources:invalidateCache',
  'config:get',
  'config:set',
  'app:info',
  'app:logs',
  'app:exportDiagnostics',
  'app:restart',
  'sso:status',
  'sso:start',
  'sso:cancel',
  'sso:signOut',
  'mcp:list',
  'mcp:save',
  'mcp:restart',
  'models:list',
  'models:show',
  'models:pulls',
  'models:pull',
  'models:cancelPull',
  'models:delete',
  'models:load',
  'models:unload',
  'setup:status',
  'setup:testConnection',
  'attachments:add',
  'attachments:get',
] as const;
export type CallName = (typeof CALL_NAMES)[number];

export const EVENT_NAMES = ['chat:event', 'resources:snapshot', 'models:progress'] as const;
export type EventName = (typeof EVENT_NAMES)[number];

const CALL_SET: ReadonlySet<string> = new Set(CALL_NAMES);
const EVENT_SET: ReadonlySet<string> = new Set(EVENT_NAMES);

export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && CALL_SET.has(name);
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && EVENT_SET.has(name);
}
