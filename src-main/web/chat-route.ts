import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { ID, MAX_MESSAGE_CHARS } from '../../src-shared/chat.js';
import type { VegaApp } from '../app/create-app.js';
import { HttpError, readJsonBody, sendError } from './http-util.js';

/** The seed's POST /chat body; strict, so stray keys (`__proto__` too) are refused. */
export const ChatRequest = z.strictObject({
  prompt: z.string().min(1).max(MAX_MESSAGE_CHARS),
  model: z.string().min(1).max(200).optional(),
  conversation_id: ID.optional(),
  stream: z.boolean().optional(),
});

export async function handleChatRoute(_app: VegaApp, req: IncomingMessage, res: ServerResponse, _requestId: string): Promise<void> {
  const parsed = ChatRequest.safeParse(await readJsonBody(req));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new HttpError(400, 'BAD_REQUEST', `Invalid /chat body${issue?.path.length ? ` at ${issue.path.join('.')}` : ''}: ${issue?.message ?? 'rejected'}.`);
  }
  sendError(res, 503, 'INTERNAL', 'Chat is not built yet.');
}
