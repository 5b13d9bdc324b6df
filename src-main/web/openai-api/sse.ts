import type { ServerResponse } from 'node:http';

/** Server-sent events as OpenAI streams them: `data: <json>` per event, `data: [DONE]` at the end. */
export function openEventStream(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
}

export function sendEvent(res: ServerResponse, data: unknown): void {
  if (!res.writableEnded) res.write(`data: ${JSON.stringify(data)}\n\n`);
}

export function endEventStream(res: ServerResponse): void {
  if (!res.writableEnded) res.end('data: [DONE]\n\n');
}
