import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { ID, MAX_MESSAGE_CHARS, type ChatMessage } from '../../src-shared/chat.js';
import { VegaError, toErrorValue, type ErrorCode } from '../../src-shared/errors.js';
import type { VegaApp } from '../app/create-app.js';
import { HttpError, hangupSignal, readJsonBody, sendJson } from './http-util.js';

/** The seed's POST /chat body; strict, so stray keys (`__proto__` too) are refused. */
export const ChatRequest = z.strictObject({
  prompt: z.string().min(1).max(MAX_MESSAGE_CHARS),
  model: z.string().min(1).max(200).optional(),
  conversation_id: ID.optional(),
  stream: z.boolean().optional(),
});

const STATUS: Partial<Record<ErrorCode, number>> = {
  BAD_REQUEST: 400,
  NOT_FOUND: 404,
  MODEL_NOT_FOUND: 404,
  PROVIDER_UNREACHABLE: 503,
  PROVIDER_ERROR: 502,
  TIMEOUT: 504,
  SHUTTING_DOWN: 503,
  DISK_FULL: 507,
  STORAGE_FAILED: 503,
};

/**
 * POST /chat → `{response, model, conversation_id}`, or with `"stream": true`
 * NDJSON lines `{"response": token, "done": false}` closed by one `done: true`
 * line carrying the same fields as the plain answer. A `conversation_id`
 * continues that conversation, also after a restart.
 */
export async function handleChatRoute(app: VegaApp, req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
  const parsed = ChatRequest.safeParse(await readJsonBody(req));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new HttpError(
      400,
      'BAD_REQUEST',
      `Invalid /chat body${issue?.path.length ? ` at ${issue.path.join('.')}` : ''}: ${issue?.message ?? 'rejected'}.`,
    );
  }
  const body = parsed.data;
  // A client that hangs up stops the answer; its partial text is kept.
  const hangup = hangupSignal(res);
  let completion;
  try {
    completion = await app.chat.service.complete({
      prompt: body.prompt,
      model: body.model,
      conversationId: body.conversation_id,
      requestId,
      signal: hangup,
    });
  } catch (err) {
    throw asHttpError(err);
  }
  const { conversationId } = completion;

  if (!body.stream) {
    let failure: unknown;
    try {
      for await (const _ of completion) {
        // Tokens are gathered into the saved message; the plain answer sends it whole.
      }
    } catch (err) {
      failure = err;
    }
    const message = await completion.done;
    if (failure) throw asHttpError(failure);
    sendJson(res, 200, app.rm.redactDeep(answer(message, conversationId)));
    return;
  }

  res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store' });
  try {
    for await (const token of completion) res.write(`${JSON.stringify({ response: token, done: false })}\n`);
    res.end(`${JSON.stringify(app.rm.redactDeep({ ...answer(await completion.done, conversationId), response: '', done: true }))}\n`);
  } catch (err) {
    // Headers are gone: the failure is the last line, after the partial answer.
    await completion.done;
    res.end(`${JSON.stringify(app.rm.redactDeep({ error: toErrorValue(err), conversation_id: conversationId, done: true }))}\n`);
  }
}

function answer(m: ChatMessage, conversationId: string): Record<string, unknown> {
  return {
    response: m.content,
    model: m.model ?? null,
    conversation_id: conversationId,
    message_id: m.id,
    partial: m.partial ?? false,
    stats: m.stats ?? null,
  };
}

function asHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof VegaError) return new HttpError(STATUS[err.code] ?? 500, err.code, err.message);
  const v = toErrorValue(err);
  return new HttpError(500, v.code, v.message);
}
