// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { memo, type ComponentProps, type FunctionComponent, type MemoExoticComponent } from 'react';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ChatView } from '../../src-renderer/chat/ChatView.js';
import { SHOW_EVERY_MS } from '../../src-renderer/chat/live-text.js';
import { FIRST_PAGE, OLDER_PAGE } from '../../src-renderer/chat/use-chat.js';
import type { ChatEvent, Conversation } from '../../src-shared/chat.js';
import { fakeApi, message, summary } from './fake-api.js';
import { fakeLayout } from './layout.js';
import { renderWithApi } from './render.js';

// A real history (issue 16): a thousand conversations in the sidebar, one of
// two thousand messages. What is rendered is counted, never timed.

/** Renders of each memoised component, by the id it shows; memo still skips what it skipped. */
const renders = vi.hoisted(() => ({ conversations: new Map<string, number>(), messages: new Map<string, number>() }));

function counted<P>(real: MemoExoticComponent<FunctionComponent<P>>, key: (p: P) => string, into: Map<string, number>) {
  const inner = real.type;
  return memo(function Counted(p: P) {
    into.set(key(p), (into.get(key(p)) ?? 0) + 1);
    return inner(p);
  });
}

vi.mock('../../src-renderer/chat/ConversationItem.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src-renderer/chat/ConversationItem.js')>();
  type P = ComponentProps<typeof real.ConversationItem>;
  return { ConversationItem: counted<P>(real.ConversationItem as never, (p) => p.conversation.id, renders.conversations) };
});
vi.mock('../../src-renderer/chat/MessageItem.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src-renderer/chat/MessageItem.js')>();
  type P = ComponentProps<typeof real.MessageItem>;
  return { MessageItem: counted<P>(real.MessageItem as never, (p) => p.message.id, renders.messages) };
});

let restoreLayout: () => void;
beforeAll(() => {
  restoreLayout = fakeLayout();
});
afterAll(() => restoreLayout());
beforeEach(() => {
  renders.conversations.clear();
  renders.messages.clear();
});
afterEach(cleanup);

const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

/** A thousand and one conversations, newest first; the first holds one question. */
function history(): Conversation[] {
  const at = (i: number) => new Date(Date.UTC(2026, 0, 1) - i * 60_000).toISOString();
  return Array.from({ length: 1_001 }, (_, i) => ({
    ...summary(`c${i}`, `Conversation ${i}`),
    updatedAt: at(i),
    messageCount: i === 0 ? 1 : 0,
    messages: i === 0 ? [message('u1', 'user', 'What is a pool?')] : [],
  }));
}

async function push(fake: ReturnType<typeof fakeApi>, ...events: ChatEvent[]) {
  await act(async () => {
    for (const e of events) fake.emit(e);
    await new Promise((r) => requestAnimationFrame(r));
  });
}

/** The newest conversation open, an answer (a1) just started in it. */
async function answering() {
  const fake = fakeApi(history());
  renderWithApi(fake.connection, <ChatView active />);
  fireEvent.click(await screen.findByRole('button', { name: /^Conversation 0/ }));
  await screen.findByText('What is a pool?');
  await push(fake, { type: 'message', conversationId: 'c0', message: message('a1', 'assistant', '') });
  return fake;
}

describe('a sidebar of 1,001 conversations', () => {
  it('renders only the rows on screen (and a margin), the newest first', async () => {
    const fake = fakeApi(history());
    renderWithApi(fake.connection, <ChatView active />);
    await screen.findByRole('button', { name: /^Conversation 0/ });
    const rows = document.querySelectorAll('.conv-item');
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.length).toBeLessThanOrEqual(40);
    expect(rows[0]!.textContent).toContain('Conversation 0');
    expect(screen.queryByRole('button', { name: /^Conversation 1000/ })).toBeNull();
    expect(total(renders.conversations)).toBeLessThanOrEqual(2 * rows.length);
  });

  it('renames and deletes a row through its own buttons (the row passes its id back)', async () => {
    const fake = fakeApi(history());
    renderWithApi(fake.connection, <ChatView active />);
    fireEvent.click(await screen.findByRole('button', { name: 'Rename “Conversation 2”' }));
    const field = screen.getByRole('textbox', { name: 'Conversation title' });
    fireEvent.change(field, { target: { value: 'Pools, at last' } });
    fireEvent.submit(field.closest('form')!);
    await waitFor(() =>
      expect(fake.calls.find((c) => c.channel === 'chat:update')?.params).toEqual({ conversationId: 'c2', title: 'Pools, at last' }),
    );
    expect(await screen.findByRole('button', { name: /^Pools, at last/ })).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Delete “Conversation 3”' }));
    fireEvent.click(screen.getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(fake.calls.find((c) => c.channel === 'chat:delete')?.params).toEqual({ conversationId: 'c3' }));
    await waitFor(() => expect(screen.queryByRole('button', { name: /^Conversation 3\b/ })).toBeNull());
    expect(screen.getByRole('button', { name: /^Conversation 4\b/ })).toBeTruthy();
  });

  it('a token frame renders the streaming message alone: no conversation row, no other message', async () => {
    const fake = await answering();
    // The first token goes through the state (the message starts streaming); the rest go to the message alone.
    await push(fake, { type: 'token', conversationId: 'c0', messageId: 'a1', text: 'A pool' });

    renders.conversations.clear();
    renders.messages.clear();
    const words = [' keeps', ' connections', ' open', ' for', ' reuse.'];
    for (const w of words) {
      await push(fake, { type: 'token', conversationId: 'c0', messageId: 'a1', text: w });
      // Each word a showing of its own: streamed text shows at most every SHOW_EVERY_MS.
      await act(() => new Promise((r) => setTimeout(r, SHOW_EVERY_MS)));
    }

    expect(document.querySelector('[data-message-id="a1"]')!.textContent).toContain('A pool keeps connections open for reuse.');
    expect(total(renders.conversations)).toBe(0);
    expect(renders.messages.get('u1') ?? 0).toBe(0);
    expect(renders.messages.get('a1')).toBe(words.length);
  });

  it('the streamed text is kept when the answer fails, and replaced by the final message on done', async () => {
    const fake = await answering();
    await push(fake, { type: 'token', conversationId: 'c0', messageId: 'a1', text: 'Half' });
    await push(fake, { type: 'token', conversationId: 'c0', messageId: 'a1', text: ' an answer' });
    await push(
      fake,
      { type: 'token', conversationId: 'c0', messageId: 'a1', text: ', then' },
      { type: 'error', conversationId: 'c0', messageId: 'a1', error: { code: 'PROVIDER_ERROR', message: 'The server went away.' } },
    );
    const a1 = document.querySelector('[data-message-id="a1"]')!;
    expect(a1.textContent).toContain('Half an answer, then');
    expect(screen.getByRole('alert').textContent).toContain('The server went away.');

    await push(fake, { type: 'message', conversationId: 'c0', message: message('a2', 'assistant', '') });
    await push(fake, { type: 'token', conversationId: 'c0', messageId: 'a2', text: 'draft' });
    await push(fake, { type: 'token', conversationId: 'c0', messageId: 'a2', text: ' text' });
    await push(fake, {
      type: 'done',
      conversationId: 'c0',
      message: message('a2', 'assistant', 'Final text', { stats: { evalTokens: 2 } }),
    });
    const a2 = document.querySelector('[data-message-id="a2"]')!;
    expect(a2.textContent).toContain('Final text');
    expect(a2.textContent).not.toContain('draft');
  });
});

describe('a conversation of 2,000 messages', () => {
  it('opens on its newest page and asks for older pages before the oldest shown, until there are no more', async () => {
    const n = 2_000;
    const messages = Array.from({ length: n }, (_, i) => message(`m${i}`, i % 2 ? 'assistant' : 'user', `message number ${i}`));
    const fake = fakeApi([{ ...summary('long', 'Long one'), messageCount: n, messages }]);
    renderWithApi(fake.connection, <ChatView active />);
    fireEvent.click(await screen.findByRole('button', { name: /^Long one/ }));
    const gets = () => fake.calls.filter((c) => c.channel === 'chat:get').map((c) => c.params);
    await waitFor(() => expect(gets()[0]).toEqual({ conversationId: 'long', limit: FIRST_PAGE }));
    // jsdom lays nothing out, so each page "does not fill the view": the list asks for the next until the first message.
    const pages = 1 + Math.ceil((n - FIRST_PAGE) / OLDER_PAGE);
    await waitFor(() => expect(gets()).toHaveLength(pages), { timeout: 10_000 });
    expect(gets().slice(1, 3)).toEqual([
      { conversationId: 'long', before: `m${n - FIRST_PAGE}`, limit: OLDER_PAGE },
      { conversationId: 'long', before: `m${n - FIRST_PAGE - OLDER_PAGE}`, limit: OLDER_PAGE },
    ]);
    expect(gets().at(-1)).toEqual({ conversationId: 'long', before: `m${OLDER_PAGE - FIRST_PAGE}`, limit: OLDER_PAGE });
    // Only a window of them in the DOM, in order, none twice.
    const shown = [...document.querySelectorAll('[data-message-id]')].map((el) => Number(el.getAttribute('data-message-id')!.slice(1)));
    expect(shown.length).toBeGreaterThan(3);
    expect(shown.length).toBeLessThanOrEqual(30);
    expect(shown).toEqual(Array.from({ length: shown.length }, (_, i) => shown[0]! + i));
  });
});
