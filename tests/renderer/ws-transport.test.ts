import { afterEach, describe, expect, it, vi } from 'vitest';
import { createVegaApi } from '../../src-shared/api.js';
import { VegaError } from '../../src-shared/errors.js';
import { CLOSE_UNAUTHORIZED, WsTransport } from '../../src-renderer/api/ws-transport.js';
import { socketFactory } from './fake-socket.js';

function transport(token: string | null = 'k1') {
  const f = socketFactory();
  const t = new WsTransport({ token, url: (k) => `ws://vega.test/ws?token=${k}`, socket: f.make, baseDelayMs: 10, maxDelayMs: 40 });
  return { t, f };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('WsTransport', () => {
  it('connects to /ws with the key and sends {id, channel, params} frames once open', async () => {
    const { t, f } = transport();
    expect(f.last().url).toBe('ws://vega.test/ws?token=k1');
    expect(t.status).toBe('connecting');
    const reply = t.invoke('chat:list', { query: 'x' });
    // Queued until the socket opens.
    expect(f.last().sent).toEqual([]);
    f.last().open();
    expect(t.status).toBe('open');
    const frame = f.last().sent[0]!;
    expect(frame).toEqual({ id: expect.any(Number), channel: 'chat:list', params: { query: 'x' } });
    f.last().receive({ id: frame.id, ok: true, value: [] });
    await expect(reply).resolves.toEqual({ ok: true, value: [] });
  });

  it("carries the call's request id in the frame", async () => {
    const { t, f } = transport();
    f.last().open();
    void t.invoke('chat:stop', { conversationId: 'c1' }, 'req-123');
    expect(f.last().sent[0]).toMatchObject({ channel: 'chat:stop', requestId: 'req-123' });
    void createVegaApi(t).chat.list();
    expect(f.last().sent[1]).toMatchObject({ channel: 'chat:list', requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  });

  it("turns an error reply into the API's VegaError", async () => {
    const { t, f } = transport();
    const api = createVegaApi(t);
    f.last().open();
    const p = api.chat.get({ conversationId: 'nope' });
    await Promise.resolve();
    const frame = f.last().sent[0]!;
    f.last().receive({ id: frame.id, ok: false, error: { code: 'NOT_FOUND', message: 'No conversation nope.' } });
    await expect(p).rejects.toSatisfy(
      (e: unknown) => e instanceof VegaError && e.code === 'NOT_FOUND' && e.message === 'No conversation nope.',
    );
  });

  it('delivers pushed events to subscribers, and only to those of that event', () => {
    const { t, f } = transport();
    const chat = vi.fn();
    const snaps = vi.fn();
    t.subscribe('chat:event', chat);
    const off = t.subscribe('resources:snapshot', snaps);
    f.last().open();
    f.last().receive({ event: 'chat:event', payload: { type: 'conversation-deleted', conversationId: 'c1' } });
    expect(chat).toHaveBeenCalledWith({ type: 'conversation-deleted', conversationId: 'c1' });
    expect(snaps).not.toHaveBeenCalled();
    off();
    f.last().receive({ event: 'resources:snapshot', payload: { t: 1 } });
    expect(snaps).not.toHaveBeenCalled();
  });

  it('rejects calls in flight with a clear error when the socket drops', async () => {
    const { t, f } = transport();
    f.last().open();
    const p = t.invoke('chat:send', { conversationId: 'c1', text: 'hi' });
    f.last().drop();
    const env = await p;
    expect(env.ok).toBe(false);
    if (!env.ok) expect(env.error.message).toMatch(/connection to Vega dropped/);
  });

  it('reconnects with backoff and keeps its subscriptions', async () => {
    vi.useFakeTimers();
    const { t, f } = transport();
    const chat = vi.fn();
    t.subscribe('chat:event', chat);
    f.last().open();
    f.last().drop();
    expect(t.status).toBe('reconnecting');
    expect(f.sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(20);
    expect(f.sockets).toHaveLength(2);
    // The new socket also fails before opening: still reconnecting (it was open once), longer wait.
    f.last().drop();
    expect(t.status).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(30);
    expect(f.sockets).toHaveLength(3);
    f.last().open();
    expect(t.status).toBe('open');
    f.last().receive({ event: 'chat:event', payload: { type: 'conversation-deleted', conversationId: 'c1' } });
    expect(chat).toHaveBeenCalledTimes(1);
  });

  it('queues calls made while reconnecting and sends them on the new socket', async () => {
    vi.useFakeTimers();
    const { t, f } = transport();
    f.last().open();
    f.last().drop();
    const p = t.invoke('app:info', {});
    await vi.advanceTimersByTimeAsync(20);
    f.last().open();
    const frame = f.last().sent[0]!;
    expect(frame.channel).toBe('app:info');
    f.last().receive({ id: frame.id, ok: true, value: { version: '1' } });
    await expect(p).resolves.toEqual({ ok: true, value: { version: '1' } });
  });

  it('is unauthorized when the host closes with 4401', async () => {
    const { t, f } = transport();
    const seen: string[] = [];
    t.onStatus((s) => seen.push(s));
    const p = t.invoke('chat:list', {});
    f.last().open();
    f.last().drop(CLOSE_UNAUTHORIZED);
    expect(t.status).toBe('unauthorized');
    expect(seen).toEqual(['open', 'unauthorized']);
    expect((await p).ok).toBe(false);
    const later = await t.invoke('chat:list', {});
    expect(later.ok === false && later.error.code).toBe('UNAUTHORIZED');
  });

  it('is unauthorized when the first socket is refused before opening (HTTP 401 on upgrade)', async () => {
    vi.useFakeTimers();
    const { t, f } = transport();
    f.last().drop();
    // One quick retry first: a single failure could be a blip.
    expect(t.status).toBe('connecting');
    await vi.advanceTimersByTimeAsync(20);
    f.last().drop();
    expect(t.status).toBe('unauthorized');
    await vi.advanceTimersByTimeAsync(1000);
    expect(f.sockets).toHaveLength(2);
  });

  it('is unauthorized at once without a key, and signIn tries the new one', () => {
    const { t, f } = transport(null);
    expect(t.status).toBe('unauthorized');
    expect(f.sockets).toHaveLength(0);
    t.signIn('k2');
    expect(t.status).toBe('connecting');
    expect(f.last().url).toBe('ws://vega.test/ws?token=k2');
    f.last().open();
    expect(t.status).toBe('open');
  });

  it('refuses a frame larger than the host accepts without sending it', async () => {
    const { t, f } = transport();
    f.last().open();
    const env = await t.invoke('chat:send', { conversationId: 'c1', text: 'x'.repeat(1024 * 1024 + 1) });
    expect(env.ok === false && env.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(f.last().sent).toHaveLength(0);
  });

  it('sends a file larger than a frame whole in its attachments:add call, and only there', async () => {
    const { t, f } = transport();
    f.last().open();
    const data = 'A'.repeat(4 * 1024 * 1024);
    void t.invoke('attachments:add', { name: 'photo.jpg', data });
    expect(f.last().sent[0]).toMatchObject({ channel: 'attachments:add', params: { name: 'photo.jpg', data } });
    const env = await t.invoke('chat:send', { conversationId: 'c1', text: data });
    expect(env.ok === false && env.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(f.last().sent).toHaveLength(1);
  });

  it("keeps an error's details (the models that can see) and drops details that are not an object", async () => {
    const { t, f } = transport();
    const api = createVegaApi(t);
    f.last().open();
    const p = api.chat.send({ conversationId: 'c1', text: 'look', attachments: ['a'.repeat(64)] });
    const q = api.chat.send({ conversationId: 'c1', text: 'again' });
    await Promise.resolve();
    const [first, second] = f.last().sent;
    const message = 'llama3.2 cannot see images.';
    f.last().receive({ id: first!.id, ok: false, error: { code: 'model_cannot_see', message, details: { visionModels: ['llava'] } } });
    f.last().receive({ id: second!.id, ok: false, error: { code: 'model_cannot_see', message, details: ['llava'] } });
    await expect(p).rejects.toSatisfy((e: unknown) => e instanceof VegaError && JSON.stringify(e.details) === '{"visionModels":["llava"]}');
    await expect(q).rejects.toSatisfy((e: unknown) => e instanceof VegaError && e.details === undefined);
  });
});
