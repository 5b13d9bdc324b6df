import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChatEvent, ChatMessage } from '../../src-shared/chat.js';
import { HA_TOKEN, startHomeAssistant, startSearxng, type StandIn } from '../helpers/integration-standins.js';
import { startOllamaStandIn, type OllamaStandIn } from '../helpers/ollama-standin.js';
import { eventually } from '../helpers/servers.js';
import { tempWebHost, type TempWebHost } from '../helpers/web.js';

// The integrations as the model's tools, through the whole app: create-app
// registers them with the chat, which offers only those that are set up.
let ollama: OllamaStandIn;
let searx: StandIn;
let ha: StandIn;
let w: TempWebHost;
const events: ChatEvent[] = [];

beforeEach(async () => {
  ollama = await startOllamaStandIn({ models: ['llama3.2'] });
  searx = await startSearxng();
  ha = await startHomeAssistant();
  w = await tempWebHost(
    `OLLAMA_HOST=${ollama.url}\nSEARXNG_URL=${searx.url}\nHOME_ASSISTANT_URL=${ha.url}\nHOME_ASSISTANT_TOKEN=${HA_TOKEN}\n`,
  );
  events.length = 0;
  w.app.events.on('chat:event', (e) => events.push(e));
});
afterEach(async () => {
  await w.dispose();
  await Promise.all([ollama.close(), searx.close(), ha.close()]);
});

const ctx = { host: 'web' as const, requestId: 'it-1' };
const offered = () =>
  (ollama.requests.filter((r) => r.path === '/api/chat').at(-1)!.body as { tools?: { function: { name: string } }[] }).tools?.map(
    (t) => t.function.name,
  ) ?? [];
const done = (cid: string) =>
  eventually(() => events.some((e) => e.type === 'done' && e.conversationId === cid), 10_000, 'the answer').then(
    () => (events.findLast((e) => e.type === 'done' && e.conversationId === cid) as { message: ChatMessage }).message,
  );

describe('integrations as tools in a chat', () => {
  it('offers only the integrations that are set up', async () => {
    const c = await w.app.handlers['chat:create']({}, ctx);
    await w.app.handlers['chat:send']({ conversationId: c.id, text: 'hi' }, ctx);
    await done(c.id);
    expect(offered()).toEqual(
      expect.arrayContaining(['fetch_text', 'web_search', 'home_assistant_list_entities', 'home_assistant_call_service']),
    );
    expect(offered()).not.toContain('slack_post_message');
  });

  it('runs web_search against SearXNG and answers with its results', async () => {
    ollama.set({ toolCalls: [{ name: 'web_search', arguments: { query: 'undici pooling' } }] });
    const c = await w.app.handlers['chat:create']({}, ctx);
    await w.app.handlers['chat:send']({ conversationId: c.id, text: 'search it' }, ctx);
    const final = await done(c.id);
    expect(final.content).toContain('Result 1 for undici pooling');
    expect(searx.requests.some((r) => r.path === '/search')).toBe(true);
    const stats = (await w.app.handlers['resources:providers']({}, ctx)).integrations!.find((i) => i.id === 'web-search');
    expect(stats).toMatchObject({ calls: 1, failures: 0, lastStatus: 'ok' });
  });

  it('waits for the person before a state-changing Home Assistant call', async () => {
    ollama.set({
      toolCalls: [{ name: 'home_assistant_call_service', arguments: { domain: 'light', service: 'turn_on', entity_id: 'light.kitchen' } }],
    });
    const c = await w.app.handlers['chat:create']({}, ctx);
    await w.app.handlers['chat:send']({ conversationId: c.id, text: 'kitchen light on' }, ctx);
    await eventually(() => events.some((e) => e.type === 'tool-call' && e.call.status === 'pending'), 5_000, 'a pending call');
    expect(ha.requests.some((r) => r.method === 'POST')).toBe(false);
    const pending = events.find(
      (e): e is Extract<ChatEvent, { type: 'tool-call' }> => e.type === 'tool-call' && e.call.status === 'pending',
    )!;
    expect(pending.call.needsConfirmation).toBe(true);
    await w.app.handlers['chat:confirmTool']({ conversationId: c.id, callId: pending.call.id, approve: true }, ctx);
    await done(c.id);
    expect(ha.requests.filter((r) => r.method === 'POST').map((r) => r.path)).toEqual(['/api/services/light/turn_on']);
  });
});
