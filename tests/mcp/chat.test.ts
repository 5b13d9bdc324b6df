import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatEvent, ChatMessage, ToolCall } from '../../src-shared/chat.js';
import { startOllamaStandIn, type OllamaStandIn } from '../helpers/ollama-standin.js';
import { eventually } from '../helpers/servers.js';
import { tempWebHost, type TempWebHost } from '../helpers/web.js';
import { killOwned, servers, tempDir, toolCtx, waitState } from './harness.js';

// MCP tools in a chat turn, through the whole app and the Ollama stand-in
// (which asks for the tool call the test scripts): the answer uses a real
// server's result, and a tool without readOnlyHint waits for Approve.

let ollama: OllamaStandIn;
let w: TempWebHost;
const tmp = tempDir('vega-mcp-chat-');
const events: ChatEvent[] = [];
const ctx = { host: 'web' as const, requestId: 'mcp-chat' };

beforeAll(async () => {
  ollama = await startOllamaStandIn();
  const file = path.join(tmp.dir, 'mcp.json');
  writeFileSync(
    file,
    JSON.stringify({ mcpServers: { everything: servers.everything(), memory: servers.memory(path.join(tmp.dir, 'memory.jsonl')) } }),
  );
  w = await tempWebHost(`OLLAMA_HOST=${ollama.url}\nVEGA_MCP_CONFIG=${file}\n`);
  w.app.events.on('chat:event', (e) => events.push(e));
  await Promise.all([waitState(w.app.mcp, 'everything', 'ready', 20_000), waitState(w.app.mcp, 'memory', 'ready', 20_000)]);
});
afterAll(async () => {
  await w.dispose();
  await ollama.close();
  tmp.dispose();
  killOwned();
});

const done = (cid: string) =>
  eventually(() => events.some((e) => e.type === 'done' && e.conversationId === cid), 15_000, 'the answer').then(
    () => (events.findLast((e) => e.type === 'done' && e.conversationId === cid) as { message: ChatMessage }).message,
  );
const calls = (cid: string) =>
  events
    .filter((e): e is Extract<ChatEvent, { type: 'tool-call' }> => e.type === 'tool-call' && e.conversationId === cid)
    .map((e) => e.call);
const graph = () => w.app.chat.tools.get('memory__read_graph')!.run({}, toolCtx());

describe('MCP tools in a chat turn', () => {
  it("offers the ready servers' tools beside the integrations, and answers with a real tool's result", async () => {
    ollama.set({ toolCalls: [{ name: 'everything__echo', arguments: { message: 'hello from a real MCP server' } }] });
    const c = await w.app.handlers['chat:create']({}, ctx);
    await w.app.handlers['chat:send']({ conversationId: c.id, text: 'echo it' }, ctx);
    const final = await done(c.id);
    expect(final.content).toBe('Tool said: Echo: hello from a real MCP server');
    const offered = (
      ollama.requests.filter((r) => r.path === '/api/chat').at(-2)!.body as { tools: { function: { name: string } }[] }
    ).tools.map((t) => t.function.name);
    expect(offered).toEqual(expect.arrayContaining(['everything__echo', 'memory__read_graph', 'fetch_text']));
    // Read-only: it ran without asking.
    expect(calls(c.id).map((k) => k.status)).toEqual(['approved', 'done']);
    expect(w.app.mcp.snapshot().servers.find((s) => s.name === 'everything')).toMatchObject({ calls: 1, failures: 0 });
  });

  it('a destructive tool waits for Approve; refused, it is not called (the memory is unchanged)', async () => {
    await w.app.chat.tools
      .get('memory__create_entities')!
      .run({ entities: [{ name: 'Kitchen', entityType: 'room', observations: ['has a light'] }] }, toolCtx());
    ollama.set({ toolCalls: [{ name: 'memory__delete_entities', arguments: { entityNames: ['Kitchen'] } }] });
    const c = await w.app.handlers['chat:create']({}, ctx);
    await w.app.handlers['chat:send']({ conversationId: c.id, text: 'forget the kitchen' }, ctx);
    await eventually(() => calls(c.id).some((k) => k.status === 'pending'), 10_000, 'a pending call');
    const pending = calls(c.id).find((k) => k.status === 'pending')!;
    expect(pending).toMatchObject({ name: 'memory__delete_entities', needsConfirmation: true });
    const before = w.app.mcp.snapshot().servers.find((s) => s.name === 'memory')!.calls;
    await w.app.handlers['chat:confirmTool']({ conversationId: c.id, callId: pending.id, approve: false }, ctx);
    await done(c.id);
    expect(calls(c.id).at(-1)).toMatchObject<Partial<ToolCall>>({ status: 'denied' });
    expect(w.app.mcp.snapshot().servers.find((s) => s.name === 'memory')!.calls).toBe(before);
    expect(await graph()).toContain('Kitchen');
  });

  it('approved, the destructive tool runs', async () => {
    ollama.set({ toolCalls: [{ name: 'memory__delete_entities', arguments: { entityNames: ['Kitchen'] } }] });
    const c = await w.app.handlers['chat:create']({}, ctx);
    await w.app.handlers['chat:send']({ conversationId: c.id, text: 'forget the kitchen, really' }, ctx);
    await eventually(() => calls(c.id).some((k) => k.status === 'pending'), 10_000, 'a pending call');
    await w.app.handlers['chat:confirmTool'](
      { conversationId: c.id, callId: calls(c.id).find((k) => k.status === 'pending')!.id, approve: true },
      ctx,
    );
    await done(c.id);
    expect(calls(c.id).at(-1)!.status).toBe('done');
    expect(await graph()).not.toContain('Kitchen');
  });

  it('a failing tool does not break the turn: the error goes to the model as the result, typed, and the answer completes', async () => {
    ollama.set({ toolCalls: [{ name: 'everything__get-sum', arguments: { a: 'not a number' } }] });
    const c = await w.app.handlers['chat:create']({}, ctx);
    await w.app.handlers['chat:send']({ conversationId: c.id, text: 'add' }, ctx);
    const final = await done(c.id);
    expect(final.error).toBeUndefined();
    const failed = calls(c.id).at(-1)!;
    expect(failed.status).toBe('failed');
    expect(failed.result).toMatch(
      /^Error: (Tool get-sum of MCP server "everything" reported an error|MCP server "everything" refused get-sum)/,
    );
    expect(final.content).toContain('Tool said: Error:');
  });

  it('the dashboard tick, resources:snapshot and GET /admin/resources/stats carry the servers (fields only added)', async () => {
    const snap = await w.app.handlers['resources:snapshot']({}, ctx);
    expect(snap.mcp?.servers.map((s) => s.name)).toEqual(['everything', 'memory']);
    const r = await request(`${w.host.url}/admin/resources/stats`, { headers: { 'x-api-key': w.key } });
    const body = (await r.body.json()) as Record<string, any>;
    expect(Object.keys(body)).toEqual(
      expect.arrayContaining(['resource_manager', 'config_cache', 'http_pools', 'llm', 'integrations', 'process', 'timestamp', 'mcp']),
    );
    expect(body.resource_manager.http_clients_created).toBe(1);
    const everything = body.mcp.servers.find((s: { name: string }) => s.name === 'everything');
    expect(everything).toMatchObject({ state: 'ready', transport: 'stdio', failures: 1, last_error: null });
    expect(everything.calls).toBeGreaterThanOrEqual(2);
    expect(everything.pid).toBeGreaterThan(0);
    expect(everything.memory_bytes).toBeGreaterThan(0);
    expect(everything.latency_p50_ms).toBeGreaterThan(0);
  });
});
