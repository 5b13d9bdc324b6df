import type http from 'node:http';
import {
  defaultReply,
  listenCounting,
  readJson,
  sendJson,
  splitAwkwardly,
  tokenize,
  Writer,
  type StandInRequest,
} from './ollama-standin.js';

/**
 * A stand-in for an OpenAI-compatible server (LM Studio, llama.cpp, vLLM):
 * `/v1/chat/completions` with SSE streaming and `/v1/models`, checking the
 * Bearer key the way those servers do when one is configured.
 */

export interface OpenAIStandInOptions {
  models?: string[];
  /** When set, requests must carry `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  reply?: (messages: { role: string; content: string }[], model: string) => string;
  tokenDelayMs?: number;
  splitChunks?: boolean;
  port?: number;
  /** A loopback address other than 127.0.0.1, for several stand-ins as distinct origins. */
  host?: string;
}

export type OpenAIStandInSettings = Partial<OpenAIStandInOptions> & {
  failNext?: { status: number; error: string };
  stallBeforeFirstToken?: boolean;
  stallAfterTokens?: number;
  toolCalls?: { name: string; arguments: Record<string, unknown> }[];
};

export interface OpenAIStandIn {
  /** Base URL including `/v1`, as OPENAI_BASE_URL is written. */
  readonly url: string;
  readonly port: number;
  accepted(): number;
  open(): number;
  /** Streamed answers the client closed before their end (a Stop, an abort, a timeout). */
  hungUp(): number;
  requests: StandInRequest[];
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
  set(opts: OpenAIStandInSettings): void;
}

const oaiError = (message: string, type: string, code: string | null) => ({ error: { message, type, param: null, code } });

export async function startOpenAIStandIn(opts: OpenAIStandInOptions = {}): Promise<OpenAIStandIn> {
  let o = {
    models: opts.models ?? ['qwen2.5-7b-instruct'],
    apiKey: opts.apiKey ?? '',
    reply: opts.reply ?? defaultReply,
    tokenDelayMs: opts.tokenDelayMs ?? 0,
    splitChunks: opts.splitChunks ?? false,
  };
  let failNext: { status: number; error: string } | undefined;
  let stallBeforeFirstToken = false;
  let stallAfterTokens: number | undefined;
  let toolCalls: { name: string; arguments: Record<string, unknown> }[] | undefined;
  const requests: StandInRequest[] = [];
  let seq = 0;
  let hungUp = 0;

  async function completions(body: Record<string, unknown>, res: http.ServerResponse): Promise<void> {
    const model = typeof body.model === 'string' ? body.model : '';
    if (!o.models.includes(model)) {
      return sendJson(
        res,
        404,
        oaiError(`The model \`${model}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found'),
      );
    }
    const messages = (Array.isArray(body.messages) ? body.messages : []) as { role: string; content: string }[];
    const calls = Array.isArray(body.tools) && body.tools.length > 0 && toolCalls ? toolCalls : undefined;
    if (calls) toolCalls = undefined;
    const text = calls ? '' : o.reply(messages, model);
    const tokens = tokenize(text);
    const id = `chatcmpl-${++seq}`;
    const created = Math.floor(Date.now() / 1000);
    const promptTokens = messages.reduce((n, m) => n + tokenize(String(m.content ?? '')).length, 0) + 10;
    const usage = { prompt_tokens: promptTokens, completion_tokens: tokens.length, total_tokens: promptTokens + tokens.length };
    const oaiCalls = calls?.map((c, i) => ({
      index: i,
      id: `call_${seq}_${i}`,
      type: 'function',
      function: { name: c.name, arguments: JSON.stringify(c.arguments) },
    }));
    const finish = calls ? 'tool_calls' : 'stop';

    if (body.stream !== true) {
      if (stallBeforeFirstToken) return new Writer(res, 0).stall();
      return sendJson(res, 200, {
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: calls ? null : text, ...(oaiCalls ? { tool_calls: oaiCalls } : {}) },
            finish_reason: finish,
          },
        ],
        usage,
      });
    }
    const w = new Writer(res, o.tokenDelayMs);
    res.on('close', () => {
      if (!res.writableEnded) hungUp++;
    });
    if (stallBeforeFirstToken) return w.stall();
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const chunk = (delta: Record<string, unknown>, finishReason: string | null) =>
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finishReason }] })}\n\n`;
    const events: string[] = [chunk({ role: 'assistant', content: '' }, null)];
    if (oaiCalls) events.push(chunk({ tool_calls: oaiCalls }, null));
    for (const t of tokens) events.push(chunk({ content: t }, null));
    const stallAt = stallAfterTokens === undefined ? undefined : stallAfterTokens + 1; // the role chunk is not a token
    const tail: string[] = [chunk({}, finish)];
    const includeUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
    if (includeUsage) tail.push(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage })}\n\n`);
    tail.push('data: [DONE]\n\n');
    const head = stallAt === undefined ? events : events.slice(0, stallAt);
    const all = stallAt === undefined ? [...head, ...tail] : head;
    const pieces = o.splitChunks ? splitAwkwardly(Buffer.from(all.join(''))) : all;
    for (const p of pieces) if (!(await w.write(p))) return;
    if (stallAt !== undefined) return w.stall();
    res.end();
  }

  const handler: http.RequestListener = (req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const body = await readJson(req);
      requests.push({ method: req.method ?? 'GET', path: url.pathname, body, headers: req.headers });
      if (o.apiKey && req.headers.authorization !== `Bearer ${o.apiKey}`) {
        return sendJson(res, 401, oaiError('Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key'));
      }
      const route = `${req.method} ${url.pathname}`;
      if (route === 'POST /v1/chat/completions' && failNext) {
        const f = failNext;
        failNext = undefined;
        return sendJson(res, f.status, oaiError(f.error, f.status >= 500 ? 'server_error' : 'invalid_request_error', null));
      }
      switch (route) {
        case 'POST /v1/chat/completions':
          if (!body || typeof body !== 'object')
            return sendJson(res, 400, oaiError("'messages' is a required property", 'invalid_request_error', null));
          return completions(body as Record<string, unknown>, res);
        case 'GET /v1/models':
          return sendJson(res, 200, {
            object: 'list',
            data: o.models.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'organization_owner' })),
          });
        default:
          return sendJson(
            res,
            404,
            oaiError(`Unexpected endpoint or method. (${req.method} ${url.pathname})`, 'invalid_request_error', null),
          );
      }
    })().catch(() => res.destroy());
  };

  const host = opts.host ?? '127.0.0.1';
  const l = await listenCounting(handler, opts.port ?? 0, host);
  return {
    url: `http://${host}:${l.port}/v1`,
    port: l.port,
    accepted: l.accepted,
    open: l.open,
    hungUp: () => hungUp,
    requests,
    stop: l.stop,
    start: l.start,
    close: l.close,
    set(s) {
      const { failNext: f, stallBeforeFirstToken: sb, stallAfterTokens: sa, toolCalls: tc, port: _port, host: _host, ...rest } = s;
      o = { ...o, ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) };
      if ('failNext' in s) failNext = f;
      if ('stallBeforeFirstToken' in s) stallBeforeFirstToken = sb ?? false;
      if ('stallAfterTokens' in s) stallAfterTokens = sa;
      if ('toolCalls' in s) toolCalls = tc;
    },
  };
}
