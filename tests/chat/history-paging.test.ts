import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { chatHandlers } from '../../src-main/app/handlers/chat.js';
import { dispatchCall } from '../../src-main/app/router.js';
import { ChatService } from '../../src-main/chat/service.js';
import { ConversationState, messageRecord, type HeaderRecord } from '../../src-main/chat/records.js';
import type { ChatMessage, ConversationPage } from '../../src-shared/chat.js';
import { chatHarness, type ChatHarness } from './harness.js';

let h: ChatHarness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

const header = (id: string): HeaderRecord => ({
  type: 'header',
  v: 1,
  id,
  title: 'Long one',
  model: 'llama3.2',
  provider: 'ollama',
  systemPrompt: 'Be brief.',
  createdAt: '2026-01-01T00:00:00.000Z',
});
const msg = (i: number): ChatMessage => ({
  id: `m${i}`,
  role: i % 2 ? 'assistant' : 'user',
  content: `message ${i}`,
  createdAt: '2026-01-01T00:00:00.000Z',
});

describe('replaying a conversation', () => {
  it('finds each message by id, not by scanning: ids read stay linear in the number of records', () => {
    const n = 2_000;
    let reads = 0;
    // A message whose id counts its reads: a findIndex per record reads ~n²/2 of them.
    const counted = (m: ChatMessage): ChatMessage => {
      const { id, ...rest } = m;
      return Object.defineProperty({ ...rest }, 'id', {
        enumerable: true,
        get: () => {
          reads++;
          return id;
        },
      }) as ChatMessage;
    };
    const state = new ConversationState(header('c1'));
    for (let i = 0; i < n; i++) {
      state.apply(messageRecord(counted(msg(i))));
      // A streamed answer is saved again under the same id (partial, then final): replaced in place.
      if (i % 2) state.apply(messageRecord(counted({ ...msg(i), content: `message ${i}, final` })));
    }
    expect(state.messages).toHaveLength(n);
    expect(state.messages[n - 1]!.content).toBe(`message ${n - 1}, final`);
    expect(reads).toBeLessThanOrEqual(3 * n);

    reads = 0;
    state.apply({ type: 'truncate', at: '2026-01-02T00:00:00.000Z', afterMessageId: `m${n - 11}` });
    state.apply({ type: 'edit', at: '2026-01-02T00:00:00.000Z', messageId: `m${n - 20}`, content: 'edited' });
    expect(state.messages).toHaveLength(n - 19);
    expect(state.messages.at(-1)).toMatchObject({ id: `m${n - 20}`, content: 'edited' });
    // Only the dropped messages' ids are read (and the edited one's copy).
    expect(reads).toBeLessThanOrEqual(25);
    // The index follows the cut: a message saved again after it lands at the end, once.
    state.apply(messageRecord(msg(n - 5)));
    expect(state.messages.map((m) => m.id).slice(-2)).toEqual([`m${n - 20}`, `m${n - 5}`]);
  });
});

describe('chat:get pages', () => {
  async function longConversation(n: number) {
    h = await chatHarness();
    const id = 'long1';
    // Written as any earlier version wrote it: the header, then one record per line.
    const lines = [header(id), ...Array.from({ length: n }, (_, i) => messageRecord(msg(i)))];
    writeFileSync(path.join(ChatService.dirFor(h.engine.rm.dataDir), `${id}.jsonl`), lines.map((l) => JSON.stringify(l) + '\n').join(''));
    const { chat } = await h.restart();
    const handlers = chatHandlers(chat.service) as unknown as Parameters<typeof dispatchCall>[0];
    const get = async (p: unknown): Promise<ConversationPage> => {
      const r = await dispatchCall(handlers, 'chat:get', p, { host: 'web', requestId: 'rid-1' });
      if (!r.ok) throw Object.assign(new Error(r.error.message), r.error);
      return r.value as ConversationPage;
    };
    return { id, get, service: chat.service };
  }

  it('answers the newest page first, then older ones before a message id, oldest first within each, until hasMore is false', async () => {
    const n = 2_000;
    const { id, get } = await longConversation(n);
    const first = await get({ conversationId: id, limit: 100 });
    expect(first).toMatchObject({ id, title: 'Long one', systemPrompt: 'Be brief.', messageCount: n, hasMore: true });
    expect(first.messages.map((m) => m.id)).toEqual(Array.from({ length: 100 }, (_, i) => `m${n - 100 + i}`));

    const seen = [...first.messages];
    let page = first;
    for (let guard = 0; page.hasMore && guard < 10; guard++) {
      page = await get({ conversationId: id, before: seen[0]!.id, limit: 500 });
      seen.unshift(...page.messages);
    }
    expect(page.hasMore).toBe(false);
    expect(page.messages).toHaveLength(400);
    expect(seen.map((m) => m.id)).toEqual(Array.from({ length: n }, (_, i) => `m${i}`));

    // Without a limit: every message (export and older clients).
    expect(await get({ conversationId: id })).toMatchObject({ hasMore: false, messages: { length: n } });
    // Before the first message: an empty page, nothing more.
    expect(await get({ conversationId: id, before: 'm0', limit: 10 })).toMatchObject({ hasMore: false, messages: [] });
  });

  it('refuses a page size out of range or an unknown message with a typed error', async () => {
    const { id, get } = await longConversation(10);
    await expect(get({ conversationId: id, limit: 0 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(get({ conversationId: id, limit: 501 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(get({ conversationId: id, limit: 2.5 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(get({ conversationId: id, before: 'no such', limit: 5 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(get({ conversationId: id, before: 'gone', limit: 5 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a page reflects a turn saved after the file was read: the new messages are the newest', async () => {
    const { id, get, service } = await longConversation(50);
    await service.send(id, 'one more');
    await service.running(id)?.done;
    const page = await get({ conversationId: id, limit: 3 });
    expect(page.messages.map((m) => m.role)).toEqual(['assistant', 'user', 'assistant']);
    expect(page.messages[1]!.content).toBe('one more');
    expect(page).toMatchObject({ messageCount: 52, hasMore: true });
  });
});
