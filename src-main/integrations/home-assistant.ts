import { z } from 'zod';
import { VegaError } from '../../src-shared/errors.js';
import type { ResourceManager } from '../engine/resource-manager.js';
import { errorField, joinUrl, parseJson, type Reply } from '../engine/outbound/index.js';
import { deadline, send, statusError, type ServiceInfo } from './http.js';
import { CallStats } from './stats.js';
import { defineTool } from './tool.js';
import type { Integration, ToolContext } from './types.js';

const SERVICE: ServiceInfo = { name: 'Home Assistant', urlKey: 'HOME_ASSISTANT_URL' };
/** A large house's /api/states runs to megabytes (every entity with its attributes). */
const STATES_LIMIT = 8 * 1024 * 1024;
/** Lines of entities given to the model at most; it can narrow with `domain` or `search`. */
const MAX_ENTITIES = 200;
const NAME = /^[a-z0-9_]{1,64}$/;

interface EntityState {
  entity_id?: unknown;
  state?: unknown;
  attributes?: { friendly_name?: unknown; unit_of_measurement?: unknown };
}

/** Home Assistant's REST API: `/api/` (health), `/api/states` (list), `/api/services/<domain>/<service>` (act). */
export function createHomeAssistant(rm: ResourceManager): Integration {
  const stats = new CallStats('home-assistant');

  async function call(
    method: 'GET' | 'POST',
    path: string,
    signal: AbortSignal,
    opts: { body?: unknown; maxBytes?: number; requestId?: string } = {},
  ): Promise<Reply> {
    const config = await rm.config.get();
    const base = config.url('HOME_ASSISTANT_URL');
    const token = config.string('HOME_ASSISTANT_TOKEN');
    if (!base || !token) {
      throw new VegaError(
        'CONFIG_INVALID',
        'Home Assistant is not set up: set HOME_ASSISTANT_URL and HOME_ASSISTANT_TOKEN (a long-lived access token from your Home Assistant profile) in Settings.',
      );
    }
    const reply = await send(rm, SERVICE, {
      method,
      url: joinUrl(base, path),
      signal,
      requestId: opts.requestId,
      maxBytes: opts.maxBytes,
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/json',
        ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
    stats.noteHttpStatus(reply.status);
    if (reply.status === 401 || reply.status === 403) {
      throw new VegaError(
        'UNAUTHORIZED',
        `Home Assistant refused the token (HTTP ${reply.status}): check HOME_ASSISTANT_TOKEN; make a new long-lived access token on your profile page if it was revoked.`,
      );
    }
    return reply;
  }

  async function listEntities(filter: { domain?: string; search?: string }, ctx: Partial<ToolContext> = {}): Promise<string> {
    const reply = await call('GET', 'api/states', deadline(rm, ctx.signal), { maxBytes: STATES_LIMIT, requestId: ctx.requestId });
    if (reply.status !== 200) throw statusError(SERVICE, reply, errorField(reply.text()));
    const states = parseJson<unknown>(reply, SERVICE);
    if (!Array.isArray(states)) throw new VegaError('PROVIDER_ERROR', 'Home Assistant answered /api/states without a list.');
    const needle = filter.search?.toLowerCase();
    const lines = (states as EntityState[])
      .filter((s) => typeof s.entity_id === 'string')
      .filter((s) => !filter.domain || (s.entity_id as string).startsWith(`${filter.domain}.`))
      .map((s) => {
        const name = typeof s.attributes?.friendly_name === 'string' ? s.attributes.friendly_name : '';
        const unit = typeof s.attributes?.unit_of_measurement === 'string' ? ` ${s.attributes.unit_of_measurement}` : '';
        return { id: s.entity_id as string, name, line: `${s.entity_id as string} = ${String(s.state)}${unit}${name ? ` (${name})` : ''}` };
      })
      .filter((e) => !needle || e.id.toLowerCase().includes(needle) || e.name.toLowerCase().includes(needle))
      .map((e) => e.line);
    if (lines.length === 0) return 'No matching entities.';
    const more = lines.length > MAX_ENTITIES ? `\n…and ${lines.length - MAX_ENTITIES} more; narrow with domain or search.` : '';
    return lines.slice(0, MAX_ENTITIES).join('\n') + more;
  }

  async function callService(
    domain: string,
    service: string,
    data: Record<string, unknown>,
    ctx: Partial<ToolContext> = {},
  ): Promise<string> {
    const reply = await call('POST', `api/services/${domain}/${service}`, deadline(rm, ctx.signal), {
      body: data,
      requestId: ctx.requestId,
    });
    if (reply.status === 400)
      throw new VegaError('BAD_REQUEST', `Home Assistant rejected ${domain}.${service}: ${errorField(reply.text()) || 'invalid data'}.`);
    if (reply.status === 404) throw new VegaError('NOT_FOUND', `Home Assistant has no service ${domain}.${service}.`);
    if (reply.status !== 200) throw statusError(SERVICE, reply, errorField(reply.text()));
    const changed = parseJson<unknown>(reply, SERVICE);
    const list = Array.isArray(changed) ? (changed as EntityState[]).filter((s) => typeof s.entity_id === 'string') : [];
    if (list.length === 0) return `Called ${domain}.${service}; no entity changed state.`;
    return `Called ${domain}.${service}. Now: ${list
      .slice(0, 20)
      .map((s) => `${s.entity_id as string} = ${String(s.state)}`)
      .join(', ')}`;
  }

  const list = defineTool({
    name: 'home_assistant_list_entities',
    description:
      'List Home Assistant entities with their current state (e.g. light.kitchen = on). Filter by domain (light, switch, sensor, climate, …) or a search text.',
    schema: z.object({
      domain: z.string().regex(NAME).optional().describe('Only entities of this domain, e.g. "light".'),
      search: z.string().max(100).optional().describe('Only entities whose id or name contains this text.'),
    }),
    run: ({ domain, search }, ctx) => stats.track(() => listEntities({ domain, search }, ctx)),
  });

  const act = defineTool({
    name: 'home_assistant_call_service',
    description:
      'Call a Home Assistant service to change something, e.g. domain "light", service "turn_on", entity_id "light.kitchen". The user confirms before it runs.',
    stateChanging: true,
    schema: z.object({
      domain: z.string().regex(NAME).describe('Service domain, e.g. "light".'),
      service: z.string().regex(NAME).describe('Service name, e.g. "turn_on".'),
      entity_id: z
        .union([z.string().max(255), z.array(z.string().max(255)).max(50)])
        .optional()
        .describe('The entity or entities to act on.'),
      data: z.record(z.string(), z.unknown()).optional().describe('Extra service data, e.g. {"brightness_pct": 50}.'),
    }),
    run: ({ domain, service, entity_id, data }, ctx) =>
      stats.track(() => callService(domain, service, { ...(data ?? {}), ...(entity_id === undefined ? {} : { entity_id }) }, ctx)),
  });

  return {
    id: 'home-assistant',
    tools: [list, act],
    configured: async () => {
      const c = await rm.config.get();
      return c.has('HOME_ASSISTANT_URL') && c.has('HOME_ASSISTANT_TOKEN');
    },
    probe: async (signal) => {
      const reply = await call('GET', 'api/', signal);
      if (reply.status !== 200) throw statusError(SERVICE, reply, errorField(reply.text()));
    },
    stats: () => stats.snapshot(),
  };
}
