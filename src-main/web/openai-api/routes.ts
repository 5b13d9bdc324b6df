import type { IncomingMessage, ServerResponse } from 'node:http';
import type { VegaApp } from '../../app/create-app.js';
import { sendJson } from '../http-util.js';
import { chatCompletions } from './completions.js';
import { ApiCall, Door, type CallKind, type DoorHandler } from './door.js';
import { embeddings } from './embeddings.js';

type Route = (req: IncomingMessage, res: ServerResponse, requestId: string) => Promise<void>;

/** Paths under the OpenAI-compatible API: their errors are answered in OpenAI's shape. */
export function isOpenAIPath(url: string | undefined): boolean {
  return (url ?? '').startsWith('/v1/');
}

/**
 * The OpenAI-compatible API (`/v1`): the web host's routes, and all of the
 * desktop's Local server. Every call is counted by client and logged with
 * its request id; the key was checked before any of it runs.
 */
export function openaiRoutes(app: VegaApp): Record<string, Route> {
  const door = new Door(app);
  const counted =
    (kind: CallKind, handler: DoorHandler): Route =>
    async (req, res, requestId) => {
      const call = new ApiCall(req, kind);
      try {
        await handler(door, call, req, res, requestId);
      } catch (err) {
        call.error = err;
        throw err;
      } finally {
        door.finish(call, requestId);
      }
    };
  return {
    'GET /v1/models': async (_req, res) => {
      const models = await door.catalog.list();
      sendJson(res, 200, { object: 'list', data: models.map((m) => ({ id: m.id, object: 'model', created: 0, owned_by: m.provider })) });
    },
    'POST /v1/chat/completions': counted('completion', chatCompletions),
    'POST /v1/embeddings': counted('embedding', embeddings),
  };
}
