import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { ATTACHMENT_NAME_MAX, BASE64, MAX_ATTACHMENTS_PER_MESSAGE, base64Bytes } from '../../src-shared/attachments.js';
import { ID, MAX_MESSAGE_CHARS, type ChatMessage } from '../../src-shared/chat.js';
import { attachmentFrameBytes } from '../../src-shared/limits.js';
import { VegaError, toErrorValue, type ErrorCode } from '../../src-shared/errors.js';
import type { VegaApp } from '../app/create-app.js';
import { HttpError, hangupSignal, readJsonBody, sendJson } from './http-util.js';

/** The seed's POST /chat body; strict, so stray keys (`__proto__` too) are refused. */
export const ChatRequest = z.strictObject({
  prompt: z.string().min(1).max(MAX_MESSAGE_CHARS),
  model: z.string().min(1).max(200).optional(),
  conversation_id: ID.optional(),
  stream: z.boolean().optional(),
  /** Ollama's shape: base64 strings, no data: prefix. */
  images: z.array(BASE64).max(MAX_ATTACHMENTS_PER_MESSAGE).optional(),
  files: z
    .array(z.strictObject({ name: z.string().min(1).max(ATTACHMENT_NAME_MAX), data: BASE64 }))
    .max(MAX_ATTACHMENTS_PER_MESSAGE)
    .optional(),
});

/** A file POST /chat could not attach: the rest of the message is sent without it. */
interface AttachmentProblem {
  readonly name: string;
  readonly code: string;
  readonly message: string;
}

const STATUS: Partial<Record<ErrorCode, number>> = {
  BAD_REQUEST: 400,
  model_cannot_see: 422,
  attachments_exceed_context: 422,
  attachment_not_found: 404,
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
  // Only this route takes files: its body may hold VEGA_UPLOAD_MAX_MB as base64; every other keeps 1 MiB.
  const limit = { bytes: attachmentFrameBytes(app.attachments.maxBytes), text: `the upload limit, ${app.attachments.limitText()}` };
  const parsed = ChatRequest.safeParse(await readJsonBody(req, limit));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new HttpError(
      400,
      'BAD_REQUEST',
      `Invalid /chat body${issue?.path.length ? ` at ${issue.path.join('.')}` : ''}: ${issue?.message ?? 'rejected'}.`,
    );
  }
  const body = parsed.data;
  const uploads = [
    ...(body.images ?? []).map((data, i) => ({ name: `image-${i + 1}`, data })),
    ...(body.files ?? []).map((f) => ({ name: f.name, data: f.data })),
  ];
  const total = uploads.reduce((n, u) => n + base64Bytes(u.data), 0);
  if (total > app.attachments.maxBytes)
    throw new HttpError(
      413,
      'attachment_too_large',
      `The files come to ${(total / 1024 / 1024).toFixed(1)} MB; the limit is ${app.attachments.limitText()}.`,
    );
  const { ids, problems } = await attachAll(app, uploads);
  // A client that hangs up stops the answer; its partial text is kept.
  const hangup = hangupSignal(res);
  let completion;
  try {
    completion = await app.chat.service.complete({
      prompt: body.prompt,
      model: body.model,
      conversationId: body.conversation_id,
      requestId,
      attachments: ids,
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
    sendJson(res, 200, app.rm.redactDeep({ ...answer(message, conversationId), ...withProblems(problems) }));
    return;
  }

  res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store' });
  try {
    for await (const token of completion) res.write(`${JSON.stringify({ response: token, done: false })}\n`);
    res.end(
      `${JSON.stringify(app.rm.redactDeep({ ...answer(await completion.done, conversationId), ...withProblems(problems), response: '', done: true }))}\n`,
    );
  } catch (err) {
    // Headers are gone: the failure is the last line, after the partial answer.
    await completion.done;
    res.end(`${JSON.stringify(app.rm.redactDeep({ error: toErrorValue(err), conversation_id: conversationId, done: true }))}\n`);
  }
}

/**
 * Each file through the same door as the window's (typed by content, read in
 * the bounded worker): a file refused is named in `attachment_errors` of the
 * answer, and the prompt goes with the others.
 */
async function attachAll(
  app: VegaApp,
  uploads: readonly { name: string; data: string }[],
): Promise<{ ids: string[]; problems: AttachmentProblem[] }> {
  const ids: string[] = [];
  const problems: AttachmentProblem[] = [];
  for (const u of uploads) {
    try {
      ids.push((await app.attachments.add(u)).id);
    } catch (err) {
      const v = toErrorValue(err);
      problems.push({ name: u.name, code: v.code, message: v.message });
    }
  }
  return { ids, problems };
}

function withProblems(problems: readonly AttachmentProblem[]): Record<string, unknown> {
  return problems.length ? { attachment_errors: problems } : {};
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
