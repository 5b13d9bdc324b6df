// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChatView } from '../../src-renderer/chat/ChatView.js';
import type { ChatEvent } from '../../src-shared/chat.js';
import { fakeApi, message, summary } from './fake-api.js';
import { fakeLayout } from './layout.js';
import { renderWithApi } from './render.js';

// The host pushes one conversation's change, never the whole list (issue 15,
// item 2): the list must still follow live, and the open conversation's
// system prompt comes with `chat:get`, not with the list.

let restoreLayout: () => void;
beforeAll(() => {
  restoreLayout = fakeLayout();
});
afterAll(() => restoreLayout());
afterEach(cleanup);

async function mount() {
  const fake = fakeApi([
    {
      ...summary('c1', 'Pools'),
      systemPrompt: 'Answer in one line.',
      messageCount: 1,
      messages: [message('u1', 'user', 'What is a pool?')],
    },
    { ...summary('c2', 'Sockets'), messages: [] },
  ]);
  renderWithApi(fake.connection, <ChatView active />);
  await screen.findByRole('button', { name: /^Sockets/ });
  return fake;
}

async function push(fake: ReturnType<typeof fakeApi>, ...events: ChatEvent[]) {
  await act(async () => {
    for (const e of events) fake.emit(e);
    await new Promise((r) => requestAnimationFrame(r));
  });
}

describe('the conversation list follows change events', () => {
  it('adds, renames and removes the one conversation each event names, without asking for the list again', async () => {
    const fake = await mount();
    const lists = () => fake.calls.filter((c) => c.channel === 'chat:list').length;
    const before = lists();
    const later = new Date(Date.now() + 60_000).toISOString();
    await push(fake, { type: 'conversation', conversationId: 'c3', summary: { ...summary('c3', 'Pushed in'), updatedAt: later } });
    expect(await screen.findByRole('button', { name: /^Pushed in/ })).toBeTruthy();
    await push(fake, { type: 'conversation', conversationId: 'c1', summary: { ...summary('c1', 'Pools, renamed'), updatedAt: later } });
    expect(await screen.findByRole('button', { name: /^Pools, renamed/ })).toBeTruthy();
    expect(screen.queryByRole('button', { name: /^Pools$/ })).toBeNull();
    await push(fake, { type: 'conversation-deleted', conversationId: 'c2' });
    expect(screen.queryByRole('button', { name: /^Sockets/ })).toBeNull();
    expect(lists()).toBe(before);
  });

  it("shows the open conversation's system prompt, fetched with the conversation", async () => {
    await mount();
    fireEvent.click(screen.getByRole('button', { name: /^Pools/ }));
    await screen.findByText('What is a pool?');
    fireEvent.click(screen.getByRole('button', { name: 'System prompt' }));
    expect(screen.getByRole<HTMLTextAreaElement>('textbox', { name: 'System prompt' }).value).toBe('Answer in one line.');
  });
});
