import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readLogs } from '../../src-main/app/diagnostics.js';
import { startOllamaStandIn, type OllamaStandIn } from '../helpers/ollama-standin.js';
import { eventually } from '../helpers/servers.js';
import { tempWebHost, type TempWebHost } from '../helpers/web.js';
import { connectApi } from '../helpers/ws-client.js';

let ollama: OllamaStandIn;
let w: TempWebHost;
beforeEach(async () => {
  ollama = await startOllamaStandIn({ models: ['llama3.2'] });
  w = await tempWebHost(`OLLAMA_HOST=${ollama.url}\n`);
});
afterEach(async () => {
  await w.dispose();
  await ollama.close();
});

describe('a request followed by its id, window → host → service → provider → HTTP → log', () => {
  it('a chat turn sent with a request id is found under that id everywhere', async () => {
    const c = await connectApi(w.host.url, w.key);
    const conv = await c.api.chat.create({});
    const reply = (await c.raw(
      JSON.stringify({ id: 1, channel: 'chat:send', params: { conversationId: conv.id, text: 'follow me' }, requestId: 'ui-trace-7' }),
    )) as { ok: boolean };
    expect(reply.ok).toBe(true);
    await eventually(() => ollama.requests.some((r) => r.path === '/api/chat'), 5_000, 'the provider call');
    expect(ollama.requests.find((r) => r.path === '/api/chat')!.headers!['x-request-id']).toBe('ui-trace-7');
    await eventually(() => w.app.rm.recentRequests().some((r) => r.requestId === 'ui-trace-7'), 5_000, 'the request in the table');
    expect(w.app.rm.recentRequests().find((r) => r.requestId === 'ui-trace-7')).toMatchObject({
      method: 'POST',
      origin: ollama.url,
      path: '/api/chat',
      status: 200,
    });
    let lines: Awaited<ReturnType<typeof readLogs>> = [];
    await eventually(
      () => {
        void readLogs(w.app.rm, { requestId: 'ui-trace-7' }).then((l) => (lines = l));
        return lines.length > 0;
      },
      5_000,
      'a log line with the id',
    );
    expect(lines[0]!.msg).toBe('chat answer finished');
    const found = await c.api.app.logs({ requestId: 'ui-trace-7' });
    expect(found.length).toBeGreaterThan(0);
    const conversation = await c.api.chat.get({ conversationId: conv.id });
    expect(conversation.messages.at(-1)!.requestId).toBe('ui-trace-7');
    await c.close();
  });

  it('an unsafe request id from a client is replaced, not logged or forwarded', async () => {
    const c = await connectApi(w.host.url, w.key);
    const bad = (await c.raw(JSON.stringify({ id: 2, channel: 'app:info', params: {}, requestId: 'x\r\nInjected: 1' }))) as {
      ok: boolean;
      error?: { code: string };
    };
    expect(bad).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    await c.close();
  });
});
