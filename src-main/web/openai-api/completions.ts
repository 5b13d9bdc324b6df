import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { hangupSignal, sendJson } from '../http-util.js';
import type { ApiCall, Door } from './door.js';
import { apiErrorBody, asApiError } from './errors.js';
import { ChatCompletionRequest, readRequest, toLlmMessages, toSampling, toToolSpecs } from './schemas.js';
import { saveExchange, wantsSave } from './save.js';
import { endEventStream, openEventStream, sendEvent } from './sse.js';

/**
 * POST /v1/chat/completions through the provider that serves the model, on
 * the engine's pool. Plain: one `chat.completion`. Streamed: SSE chunks, the
 * last with `finish_reason`, then (with `stream_options.include_usage`) a
 * usage chunk and `[DONE]`. Vega runs no tools here: the model's tool calls
 * go back to the client. A client that hangs up aborts the upstream call.
 */
export async function chatCompletions(
  door: Door,
  call: ApiCall,
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
): Promise<void> {
  const hangup = hangupSignal(res);
  const body = await readRequest(req, ChatCompletionRequest);
  call.model = body.model;
  const provider = await door.catalog.resolve(body.model);
  call.provider = provider.id;
  const messages = toLlmMessages(body.messages);
  const parts = provider.stream({
    model: body.model,
    messages,
    tools: toToolSpecs(body.tools),
    toolChoice: body.tool_choice ?? undefined,
    sampling: toSampling(body),
    signal: hangup,
    requestId,
  });
  const id = `chatcmpl-${requestId}`;
  const created = Math.floor(Date.now() / 1000);
  const usageWanted = body.stream_options?.include_usage === true;
  const chunk = (delta: Record<string, unknown>, finish: string | null): Record<string, unknown> => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model: body.model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    ...(usageWanted ? { usage: null } : {}),
  });
  // Headers wait for the first piece: a failure before it is an HTTP status the client understands.
  let opened = false;
  const open = (): void => {
    if (opened) return;
    opened = true;
    openEventStream(res);
    sendEvent(res, chunk({ role: 'assistant', content: '' }, null));
  };

  let text = '';
  let calls: readonly { id?: string; name: string; arguments: Record<string, unknown> }[] = [];
  try {
    for await (const part of parts) {
      if (part.type === 'token') {
        call.ttftMs ??= performance.now() - call.started;
        call.tokens++;
        text += part.text;
        if (body.stream) {
          open();
          sendEvent(res, chunk({ content: part.text }, null));
        }
      } else if (part.type === 'tool-calls') calls = part.calls;
      else call.stats = part.stats;
    }
  } catch (err) {
    if (hangup.aborted) {
      call.hungUp = true;
      return;
    }
    if (!opened) throw asApiError(err);
    // Headers are gone: the failure is the last event, after the partial answer, and no [DONE].
    call.error = err;
    const failure = asApiError(err);
    sendEvent(res, apiErrorBody(failure, door.app.rm.redact(failure.message)));
    res.end();
    return;
  }

  const toolCalls = calls.map((c, index) => ({
    index,
    id: c.id ?? `call_${requestId}_${index}`,
    type: 'function',
    function: { name: c.name, arguments: JSON.stringify(c.arguments) },
  }));
  const finishReason = toolCalls.length ? 'tool_calls' : call.stats?.doneReason === 'length' ? 'length' : 'stop';
  const promptTokens = call.stats?.promptTokens ?? 0;
  const completionTokens = call.stats?.evalTokens ?? call.tokens;
  const usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
  if (wantsSave(req) && text) {
    // The answer does not wait for the history: a failed save is the log's, the client has its answer.
    void saveExchange(door.app, { provider: provider.id, model: body.model, messages, answer: text, requestId }).catch((err: unknown) =>
      door.app.rm.logger.warn({ err, requestId }, 'API: the call asked to be saved (X-Vega-Save) but the history refused it'),
    );
  }

  if (!body.stream) {
    const message = {
      role: 'assistant',
      content: toolCalls.length && !text ? null : text,
      ...(toolCalls.length ? { tool_calls: toolCalls.map(({ index: _, ...c }) => c) } : {}),
    };
    sendJson(res, 200, {
      id,
      object: 'chat.completion',
      created,
      model: body.model,
      choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }],
      usage,
    });
    return;
  }
  open();
  if (toolCalls.length) sendEvent(res, chunk({ tool_calls: toolCalls }, null));
  sendEvent(res, chunk({}, finishReason));
  if (usageWanted) sendEvent(res, { id, object: 'chat.completion.chunk', created, model: body.model, choices: [], usage });
  endEventStream(res);
}
