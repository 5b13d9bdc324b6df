import type { IncomingMessage, ServerResponse } from 'node:http';
import { hangupSignal, sendJson } from '../http-util.js';
import type { ApiCall, Door } from './door.js';
import { ApiError } from './errors.js';
import { EmbeddingRequest, readRequest } from './schemas.js';

/** POST /v1/embeddings on a provider that has embeddings (Ollama's /api/embed); `base64` is what OpenAI's own clients ask for. */
export async function embeddings(door: Door, call: ApiCall, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const hangup = hangupSignal(res);
  const body = await readRequest(req, EmbeddingRequest);
  call.model = body.model;
  const provider = await door.catalog.resolve(body.model);
  call.provider = provider.id;
  // Only Ollama's servers are asked for embeddings (its /api/embed).
  if (provider.id !== 'ollama' || !provider.embed)
    throw new ApiError(
      400,
      'BAD_REQUEST',
      `The model "${body.model}" is served by a server Vega asks no embeddings of; use an Ollama embedding model.`,
      'model',
    );
  const input = typeof body.input === 'string' ? [body.input] : body.input;
  const { vectors, promptTokens } = await provider.embed(body.model, input, hangup);
  call.stats = { promptTokens };
  const base64 = body.encoding_format === 'base64';
  sendJson(res, 200, {
    object: 'list',
    data: vectors.map((v, index) => ({
      object: 'embedding',
      index,
      embedding: base64 ? Buffer.from(Float32Array.from(v).buffer).toString('base64') : v,
    })),
    model: body.model,
    usage: { prompt_tokens: promptTokens ?? 0, total_tokens: promptTokens ?? 0 },
  });
}
