import { afterEach, describe, expect, it } from 'vitest';
import type { ToolContext } from '../../src-main/chat/tools.js';
import type { ChatEvent, ToolCall } from '../../src-shared/chat.js';
import { eventually } from '../helpers/servers.js';
import { chatHarness, type ChatHarness } from './harness.js';

let h: ChatHarness | undefined;

afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

const calls = (events: ChatEvent[]) =>
  events.filter((e): e is Extract<ChatEvent, { type: 'tool-call' }> => e.type === 'tool-call').map((e) => e.call);
const chatRequests = (hh: ChatHarness) =>
  hh.ollama.requests
    .filter((r) => r.path === '/api/chat')
    .map((r) => r.body as { tools?: unknown[]; messages: { role: string; content: string; tool_calls?: unknown; tool_name?: string }[] });

describe('tool calls', () => {
  it('offers registered tools, runs a call, shows it, and answers with its result', async () => {
    h = await chatHarness();
    const seen: { args: Record<string, unknown>; ctx: ToolContext }[] = [];
    const off = h.chat.tools.register({
      name: 'get_time',
      description: 'The time in a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      stateChanging: false,
      run: async (args, ctx) => {
        seen.push({ args, ctx });
        return `12:00 in ${String(args.city)}`;
      },
    });
    h.ollama.set({ toolCalls: [{ name: 'get_time', arguments: { city: 'Oslo' } }] });
    const c = await h.chat.service.create();
    const { messageId } = await h.chat.service.send(c.id, 'What time is it in Oslo?');
    const final = await h.done(c.id);
    expect(final.content).toBe('Tool said: 12:00 in Oslo');
    expect(seen).toHaveLength(1);
    expect(seen[0]!.args).toEqual({ city: 'Oslo' });
    expect(seen[0]!.ctx.signal.aborted).toBe(false);

    const conv = await h.chat.service.get(c.id);
    expect(conv.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant']);
    const [, callMsg, toolMsg] = conv.messages;
    expect(callMsg!.id).toBe(messageId);
    expect(callMsg!.toolCalls).toEqual([
      expect.objectContaining({
        name: 'get_time',
        arguments: { city: 'Oslo' },
        status: 'done',
        needsConfirmation: false,
        result: '12:00 in Oslo',
      }),
    ]);
    expect(toolMsg).toMatchObject({ role: 'tool', content: '12:00 in Oslo', toolCallId: callMsg!.toolCalls![0]!.id });
    expect(calls(h.events).map((x) => x.status)).toEqual(['approved', 'done']);

    const reqs = chatRequests(h);
    expect(reqs).toHaveLength(2);
    expect(reqs[0]!.tools).toEqual([
      {
        type: 'function',
        function: { name: 'get_time', description: 'The time in a city', parameters: expect.objectContaining({ required: ['city'] }) },
      },
    ]);
    expect(reqs[1]!.messages.slice(-2)).toEqual([
      { role: 'assistant', content: '', tool_calls: [{ function: { name: 'get_time', arguments: { city: 'Oslo' } } }] },
      { role: 'tool', content: '12:00 in Oslo', tool_name: 'get_time' },
    ]);
    off();
    await h.chat.service.send(c.id, 'no tools now');
    await h.done(c.id);
    expect(chatRequests(h).at(-1)!.tools).toBeUndefined();
  });

  it('a state-changing call waits for confirmation: approve runs it', async () => {
    h = await chatHarness();
    let runs = 0;
    h.chat.tools.register({
      name: 'lights_off',
      description: 'Turn the lights off',
      parameters: { type: 'object' },
      stateChanging: true,
      run: async () => `off (${++runs})`,
    });
    h.ollama.set({ toolCalls: [{ name: 'lights_off', arguments: {} }] });
    const c = await h.chat.service.create();
    await h.chat.service.send(c.id, 'lights off please');
    await eventually(() => calls(h!.events).some((x) => x.status === 'pending'), 3_000, 'a pending call');
    const pending = calls(h.events).find((x) => x.status === 'pending')!;
    expect(pending.needsConfirmation).toBe(true);
    expect(runs).toBe(0);
    expect(h.chat.service.confirmTool(c.id, 'unknown', true)).toEqual({ ok: false });
    expect(h.chat.service.confirmTool(c.id, pending.id, true)).toEqual({ ok: true });
    const final = await h.done(c.id);
    expect(runs).toBe(1);
    expect(final.content).toBe('Tool said: off (1)');
    expect(calls(h.events).map((x) => x.status)).toEqual(['pending', 'approved', 'done']);
  });

  it('deny → not run, and the model is told the user declined', async () => {
    h = await chatHarness();
    let runs = 0;
    h.chat.tools.register({
      name: 'send_message',
      description: 'Post to Slack',
      parameters: { type: 'object' },
      stateChanging: true,
      run: async () => `sent ${++runs}`,
    });
    h.ollama.set({ toolCalls: [{ name: 'send_message', arguments: { text: 'hi all' } }] });
    const c = await h.chat.service.create();
    await h.chat.service.send(c.id, 'tell the team hi');
    await eventually(() => calls(h!.events).some((x) => x.status === 'pending'), 3_000, 'a pending call');
    h.chat.service.confirmTool(c.id, calls(h.events)[0]!.id, false);
    const final = await h.done(c.id);
    expect(runs).toBe(0);
    expect(final.content).toMatch(/^Tool said: The user declined/);
    const conv = await h.chat.service.get(c.id);
    expect(conv.messages[1]!.toolCalls![0]!.status).toBe('denied');
    expect(chatRequests(h).at(-1)!.messages.at(-1)).toMatchObject({ role: 'tool', content: expect.stringMatching(/declined/) });
  });

  it('a failing tool and an unknown tool become results the model reads', async () => {
    h = await chatHarness();
    h.chat.tools.register({
      name: 'flaky',
      description: 'Fails',
      parameters: { type: 'object' },
      stateChanging: false,
      run: async () => Promise.reject(new Error('service unavailable')),
    });
    h.ollama.set({
      toolCalls: [
        { name: 'flaky', arguments: {} },
        { name: 'no_such_tool', arguments: {} },
      ],
    });
    const c = await h.chat.service.create();
    await h.chat.service.send(c.id, 'try');
    await h.done(c.id);
    const conv = await h.chat.service.get(c.id);
    expect(conv.messages[1]!.toolCalls!.map((x) => [x.name, x.status])).toEqual([
      ['flaky', 'failed'],
      ['no_such_tool', 'failed'],
    ]);
    expect(conv.messages.filter((m) => m.role === 'tool').map((m) => m.content)).toEqual([
      'Error: service unavailable',
      'There is no tool named "no_such_tool".',
    ]);
  });

  it('the loop is bounded: after 5 tool steps the model is asked without tools', async () => {
    h = await chatHarness();
    const ollama = h.ollama;
    let runs = 0;
    h.chat.tools.register({
      name: 'again',
      description: 'Always wants another call',
      parameters: { type: 'object' },
      stateChanging: false,
      run: async () => {
        // The stand-in answers the next request with a tool call again: a model stuck calling tools.
        ollama.set({ toolCalls: [{ name: 'again', arguments: {} }] });
        return `run ${++runs}`;
      },
    });
    ollama.set({ toolCalls: [{ name: 'again', arguments: {} }] });
    const c = await h.chat.service.create();
    await h.chat.service.send(c.id, 'loop');
    const final = await h.done(c.id);
    const reqs = chatRequests(h);
    expect(reqs).toHaveLength(6);
    expect(reqs.slice(0, 5).every((r) => Array.isArray(r.tools))).toBe(true);
    expect(reqs[5]!.tools).toBeUndefined();
    expect(runs).toBe(5);
    expect(final.content).toBe('Tool said: run 5');
    ollama.set({ toolCalls: undefined });
  });

  it('the tool time budget aborts a slow tool through its signal', async () => {
    h = await chatHarness({ chat: { toolLimits: { budgetMs: 300 } } });
    let sawAbort = false;
    h.chat.tools.register({
      name: 'slow',
      description: 'Takes forever',
      parameters: { type: 'object' },
      stateChanging: false,
      run: (_args, { signal }) =>
        new Promise<string>((resolve) => {
          signal.addEventListener('abort', () => {
            sawAbort = true;
            resolve('too late');
          });
        }),
    });
    h.ollama.set({ toolCalls: [{ name: 'slow', arguments: {} }] });
    const c = await h.chat.service.create();
    await h.chat.service.send(c.id, 'be slow');
    await h.done(c.id);
    expect(sawAbort).toBe(true);
    const call = (await h.chat.service.get(c.id)).messages[1]!.toolCalls![0] as ToolCall;
    expect(call.status).toBe('failed');
  });

  it('stop while a call waits for confirmation ends the turn without running it', async () => {
    h = await chatHarness();
    let runs = 0;
    h.chat.tools.register({
      name: 'unlock_door',
      description: 'Unlock',
      parameters: { type: 'object' },
      stateChanging: true,
      run: async () => `${++runs}`,
    });
    h.ollama.set({ toolCalls: [{ name: 'unlock_door', arguments: {} }] });
    const c = await h.chat.service.create();
    await h.chat.service.send(c.id, 'unlock');
    await eventually(() => calls(h!.events).some((x) => x.status === 'pending'), 3_000, 'a pending call');
    expect(await h.chat.service.stop(c.id)).toEqual({ stopped: true });
    expect(runs).toBe(0);
    const conv = await h.chat.service.get(c.id);
    expect(conv.messages[1]!.toolCalls![0]!.status).toBe('failed');
    expect(h.chat.service.running(c.id)).toBeUndefined();
  });
});
