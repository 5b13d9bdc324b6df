// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChatView } from '../../src-renderer/chat/ChatView.js';
import { preloadMarkdown } from '../../src-renderer/chat/Markdown.js';
import { fakeApi, message, summary } from './fake-api.js';
import { fakeLayout } from './layout.js';
import { renderWithApi } from './render.js';

let restoreLayout: () => void;
beforeAll(async () => {
  restoreLayout = fakeLayout();
  // The Markdown renderer loads lazily; loaded ahead, answers render formatted at once.
  await preloadMarkdown();
});
afterAll(() => restoreLayout());
afterEach(cleanup);

/** Open conversation c1 (one user message already in it) in the chat view. */
async function openChat() {
  const fake = fakeApi([{ ...summary('c1', 'Pools'), messageCount: 1, messages: [message('u1', 'user', 'What is a pool?')] }]);
  renderWithApi(fake.connection, <ChatView active />);
  fireEvent.click(await screen.findByRole('button', { name: /^Pools/ }));
  await screen.findByText('What is a pool?');
  return fake;
}

/** Push events and let the per-frame batching deliver them. */
async function push(fake: ReturnType<typeof fakeApi>, ...events: Parameters<ReturnType<typeof fakeApi>['emit']>[0][]) {
  await act(async () => {
    for (const e of events) fake.emit(e);
    // The batch waits for the next frame; a frame callback asked for after it runs after it, however late that frame is.
    await new Promise((r) => requestAnimationFrame(r));
  });
}

function assistant(id: string): HTMLElement {
  const el = document.querySelector<HTMLElement>(`[data-message-id="${id}"]`);
  if (!el) throw new Error(`no message ${id} on screen`);
  return el;
}

describe('chat stream rendering', () => {
  it('appends token events to the message with that id', async () => {
    const fake = await openChat();
    await push(
      fake,
      { type: 'message', conversationId: 'c1', message: message('a1', 'assistant', '') },
      { type: 'token', conversationId: 'c1', messageId: 'a1', text: 'A pool ' },
      { type: 'token', conversationId: 'c1', messageId: 'a1', text: 'keeps connections' },
    );
    expect(assistant('a1').textContent).toContain('A pool keeps connections');
    // While it streams, Stop is offered instead of Send.
    expect(screen.getByRole('button', { name: 'Stop' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Send' })).toBeNull();
  });

  it("replaces the message with the final one on 'done' and shows its stats", async () => {
    const fake = await openChat();
    await push(
      fake,
      { type: 'message', conversationId: 'c1', message: message('a1', 'assistant', '') },
      { type: 'token', conversationId: 'c1', messageId: 'a1', text: 'draft tex' },
      {
        type: 'done',
        conversationId: 'c1',
        message: message('a1', 'assistant', 'Final **answer**', {
          model: 'llama3.2',
          stats: { tokensPerSecond: 42.5, ttftMs: 230, evalTokens: 12 },
        }),
      },
    );
    const a1 = assistant('a1');
    expect(a1.textContent).toContain('Final answer');
    expect(a1.textContent).not.toContain('draft tex');
    expect(a1.querySelector('strong')?.textContent).toBe('answer');
    expect(a1.textContent).toContain('42.5 tok/s');
    expect(a1.textContent).toContain('first token 230 ms');
    expect(screen.getByRole('button', { name: 'Send' })).toBeTruthy();
  });

  it("shows the error's message in a banner, never a blank screen", async () => {
    const fake = await openChat();
    const text = "Ollama is not reachable at http://127.0.0.1:11434 — start it with 'ollama serve'.";
    await push(fake, { type: 'error', conversationId: 'c1', messageId: null, error: { code: 'PROVIDER_UNREACHABLE', message: text } });
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain(text);
    // The conversation is still there behind the banner.
    expect(screen.getByText('What is a pool?')).toBeTruthy();
    fireEvent.click(within(alert).getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('ignores events for another conversation', async () => {
    const fake = await openChat();
    await push(
      fake,
      { type: 'message', conversationId: 'other', message: message('x1', 'assistant', 'not for you') },
      { type: 'token', conversationId: 'other', messageId: 'x1', text: ' nor this' },
      { type: 'token', conversationId: 'other', messageId: 'u1', text: ' nor this either' },
      { type: 'error', conversationId: 'other', messageId: null, error: { code: 'PROVIDER_ERROR', message: 'elsewhere' } },
    );
    expect(document.querySelector('[data-message-id="x1"]')).toBeNull();
    expect(screen.queryByText(/not for you|nor this/)).toBeNull();
    expect(screen.getByText('What is a pool?').textContent).toBe('What is a pool?');
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('adds a tool call inline and sends the Approve decision', async () => {
    const fake = await openChat();
    await push(
      fake,
      { type: 'message', conversationId: 'c1', message: message('a1', 'assistant', '') },
      {
        type: 'tool-call',
        conversationId: 'c1',
        messageId: 'a1',
        call: {
          id: 'call1',
          name: 'home_assistant_turn_on',
          arguments: { entity: 'light.kitchen' },
          needsConfirmation: true,
          status: 'pending',
        },
      },
    );
    expect(assistant('a1').textContent).toContain('home_assistant_turn_on');
    fireEvent.click(screen.getByRole('button', { name: 'Approve' }));
    await waitFor(() => expect(fake.calls.some((c) => c.channel === 'chat:confirmTool')).toBe(true));
    expect(fake.calls.find((c) => c.channel === 'chat:confirmTool')?.params).toEqual({
      conversationId: 'c1',
      callId: 'call1',
      approve: true,
    });
    expect(screen.queryByRole('button', { name: 'Approve' })).toBeNull();
  });

  it('Enter sends the message box; Shift+Enter does not', async () => {
    const fake = await openChat();
    const box = screen.getByRole('textbox', { name: 'Message' });
    fireEvent.change(box, { target: { value: 'line one' } });
    fireEvent.keyDown(box, { key: 'Enter', shiftKey: true });
    expect(fake.calls.some((c) => c.channel === 'chat:send')).toBe(false);
    fireEvent.keyDown(box, { key: 'Enter' });
    await waitFor(() =>
      expect(fake.calls.find((c) => c.channel === 'chat:send')?.params).toEqual({ conversationId: 'c1', text: 'line one' }),
    );
  });

  it('Esc stops a streaming answer', async () => {
    const fake = await openChat();
    await push(fake, { type: 'token', conversationId: 'c1', messageId: 'a1', text: 'streaming…' });
    fireEvent.keyDown(window, { key: 'Escape' });
    await waitFor(() => expect(fake.calls.find((c) => c.channel === 'chat:stop')?.params).toEqual({ conversationId: 'c1' }));
  });

  it('Ctrl+N starts a new chat, created on its first message', async () => {
    const fake = await openChat();
    fireEvent.keyDown(window, { key: 'n', ctrlKey: true });
    expect(await screen.findByRole('heading', { name: 'How can I help?' })).toBeTruthy();
    expect(screen.queryByText('What is a pool?')).toBeNull();
    const box = screen.getByRole('textbox', { name: 'Message' });
    expect(document.activeElement).toBe(box);
    fireEvent.change(box, { target: { value: 'fresh start' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    await waitFor(() =>
      expect(fake.calls.find((c) => c.channel === 'chat:send')?.params).toEqual({ conversationId: 'new1', text: 'fresh start' }),
    );
    expect(fake.calls.find((c) => c.channel === 'chat:create')?.params).toMatchObject({ provider: 'ollama', model: 'llama3.2' });
  });
});
