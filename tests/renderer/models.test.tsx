// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ChatView } from '../../src-renderer/chat/ChatView.js';
import { ModelsView } from '../../src-renderer/models/ModelsView.js';
import { RECHECK_MS } from '../../src-renderer/models/use-setup.js';
import { fakeApi, message, pullProgress, setupStatus, summary, type FakeApi } from './fake-api.js';
import { fakeLayout } from './layout.js';
import { renderWithApi } from './render.js';

let restoreLayout: () => void;
beforeAll(() => {
  restoreLayout = fakeLayout();
});
afterAll(() => restoreLayout());
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

function mount(fake: FakeApi, view: 'chat' | 'models' = 'chat') {
  renderWithApi(fake.connection, view === 'chat' ? <ChatView active /> : <ModelsView />);
}

/** Ollama answers with these models, VEGA_MODEL not among them. */
const withoutDefault = (models: string[]) =>
  setupStatus({ ready: false, provider: null, model: null, defaultInstalled: false, ollama: { ...setupStatus().ollama, models } });

const unreachable = () =>
  setupStatus({
    ready: false,
    provider: null,
    model: null,
    defaultInstalled: false,
    ollama: {
      configured: true,
      url: 'http://127.0.0.1:11434',
      reachable: false,
      error: "Ollama is not reachable at http://127.0.0.1:11434 — start it with 'ollama serve'",
      models: [],
    },
  });

describe('the first-run setup card', () => {
  it('stands in for the empty chat while Ollama is not reachable, with the steps for this OS, and gives way once a model is ready', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'], shouldAdvanceTime: true });
    const fake = fakeApi();
    fake.models.setup = unreachable();
    mount(fake);
    const card = await screen.findByRole('region', { name: 'Set up a model to chat with' });
    expect(within(card).getByText(/Ollama is not reachable at http:\/\/127\.0\.0\.1:11434/)).toBeTruthy();
    expect(within(card).getByText('curl -fsSL https://ollama.com/install.sh | sh')).toBeTruthy();
    expect(screen.queryByText('How can I help?')).toBeNull();

    // Ollama comes up with the default model: noticed at the next check, a few seconds on.
    fake.models.setup = setupStatus();
    await act(() => vi.advanceTimersByTimeAsync(RECHECK_MS));
    expect(await screen.findByText('How can I help?')).toBeTruthy();
    expect(screen.queryByRole('region', { name: 'Set up a model to chat with' })).toBeNull();
    const checks = fake.calls.filter((c) => c.channel === 'setup:status').length;
    // Ready: it stops asking.
    await act(() => vi.advanceTimersByTimeAsync(RECHECK_MS * 3));
    expect(fake.calls.filter((c) => c.channel === 'setup:status')).toHaveLength(checks);
  });

  it('offers small models with their sizes; Pull shows a moving bar; Cancel, then Resume; done opens the chat', async () => {
    const fake = fakeApi();
    fake.models.setup = withoutDefault([]);
    mount(fake);
    const card = await screen.findByRole('region', { name: 'Set up a model to chat with' });
    expect(within(card).getByText('Ollama has no models yet.')).toBeTruthy();
    expect(within(card).getByText(/your default model \(VEGA_MODEL\)/)).toBeTruthy();
    expect(within(card).getByText(/about 380 MB/)).toBeTruthy();
    fireEvent.click(within(card).getByRole('button', { name: 'Pull llama3.2' }));
    await waitFor(() => expect(fake.calls.find((c) => c.channel === 'models:pull')?.params).toEqual({ name: 'llama3.2' }));

    act(() => fake.progress(pullProgress('llama3.2', { completed: 200, total: 1000 })));
    const bar = await screen.findByRole('progressbar', { name: 'Pulling llama3.2' });
    expect(bar.getAttribute('aria-valuenow')).toBe('20');
    act(() => fake.progress(pullProgress('llama3.2', { completed: 450, total: 1000 })));
    expect(bar.getAttribute('aria-valuenow')).toBe('45');
    expect(screen.getByText(/450 B of 1000 B · 45 % · 100 B\/s · 5s left/)).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Cancel pulling llama3.2' }));
    await waitFor(() => expect(fake.calls.some((c) => c.channel === 'models:cancelPull')).toBe(true));
    act(() =>
      fake.progress(pullProgress('llama3.2', { state: 'cancelled', completed: 450, total: 1000, bytesPerSecond: null, secondsLeft: null })),
    );
    fireEvent.click(await screen.findByRole('button', { name: 'Resume pulling llama3.2' }));
    await waitFor(() => expect(fake.calls.filter((c) => c.channel === 'models:pull')).toHaveLength(2));

    fake.models.setup = setupStatus();
    act(() => fake.progress(pullProgress('llama3.2', { state: 'done', status: 'success', completed: 1000, total: 1000 })));
    expect(await screen.findByText('How can I help?')).toBeTruthy();
  });

  it('offers the installed models when VEGA_MODEL is not among them, and saves the choice as the default', async () => {
    const fake = fakeApi();
    fake.models.setup = withoutDefault(['gemma3:1b']);
    mount(fake);
    const card = await screen.findByRole('region', { name: 'Set up a model to chat with' });
    expect(within(card).getByText(/is not installed/)).toBeTruthy();
    fireEvent.click(within(card).getByRole('button', { name: 'Make it the default' }));
    await waitFor(() =>
      expect(fake.calls.find((c) => c.channel === 'config:set')?.params).toEqual({ values: { VEGA_MODEL: 'gemma3:1b' } }),
    );
  });
});

describe('the Models view', () => {
  it('lists the models with their details and what is loaded; delete asks first', async () => {
    const fake = fakeApi();
    fake.models.providers[0] = {
      provider: 'ollama',
      configured: true,
      reachable: true,
      error: null,
      models: [
        {
          name: 'llama3.2:latest',
          family: 'llama',
          parameterSize: '3.2B',
          quantization: 'Q4_K_M',
          size: 2_019_393_189,
          contextLength: 131_072,
          loaded: { name: 'llama3.2:latest', size: 3e9, sizeVram: 3e9, expiresAt: null },
        },
      ],
    };
    mount(fake, 'models');
    const table = await screen.findByRole('table');
    expect(within(table).getByText('Q4_K_M')).toBeTruthy();
    expect(within(table).getByText('131,072')).toBeTruthy();
    expect(within(table).getByText(/100% VRAM\), kept loaded/)).toBeTruthy();
    fireEvent.click(within(table).getByRole('button', { name: 'Unload llama3.2:latest' }));
    await waitFor(() => expect(fake.calls.find((c) => c.channel === 'models:unload')?.params).toEqual({ name: 'llama3.2:latest' }));
    fireEvent.click(within(table).getByRole('button', { name: 'Delete llama3.2:latest' }));
    expect(fake.calls.some((c) => c.channel === 'models:delete')).toBe(false);
    fireEvent.click(within(table).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(fake.calls.find((c) => c.channel === 'models:delete')?.params).toEqual({ name: 'llama3.2:latest' }));
  });

  it('refuses a name with spaces or ../ before asking the host, and pulls a good one', async () => {
    const fake = fakeApi();
    mount(fake, 'models');
    const box = await screen.findByRole('textbox', { name: 'Pull a model' });
    for (const bad of ['llama 3.2', '../x']) {
      fireEvent.change(box, { target: { value: bad } });
      fireEvent.click(screen.getByRole('button', { name: 'Pull' }));
      expect((await screen.findByRole('alert')).textContent).toMatch(/no spaces|"\.\."/);
    }
    expect(fake.calls.some((c) => c.channel === 'models:pull')).toBe(false);
    fireEvent.change(box, { target: { value: 'qwen2.5:0.5b' } });
    fireEvent.click(screen.getByRole('button', { name: 'Pull' }));
    await waitFor(() => expect(fake.calls.find((c) => c.channel === 'models:pull')?.params).toEqual({ name: 'qwen2.5:0.5b' }));
  });

  it('finds the pulls main holds when it opens (a reloaded window)', async () => {
    const fake = fakeApi();
    fake.models.pulls = [
      pullProgress('gemma3:1b', { completed: 700, total: 1000 }),
      pullProgress('llama3.2:1b', { state: 'queued', completed: 0, total: 0 }),
    ];
    mount(fake, 'models');
    expect((await screen.findByRole('progressbar', { name: 'Pulling gemma3:1b' })).getAttribute('aria-valuenow')).toBe('70');
    expect(screen.getByText('Waits for the pull before it.')).toBeTruthy();
  });
});

describe('the context window', () => {
  async function openFull(fake: FakeApi) {
    mount(fake);
    fireEvent.click(await screen.findByRole('button', { name: /^Pools/ }));
    await screen.findByText('old answer');
  }
  const answered = () =>
    fakeApi([
      {
        ...summary('c1', 'Pools'),
        messageCount: 2,
        messages: [
          message('u1', 'user', 'old question'),
          message('a1', 'assistant', 'old answer', { stats: { promptTokens: 6000, evalTokens: 500 } }),
        ],
      },
    ]);

  it('shows how much of the model window the conversation uses', async () => {
    const fake = answered();
    await openFull(fake);
    expect((await screen.findByTestId('context-used')).textContent).toBe('6,500 of 8,192 tokens (79 %)');
    expect(fake.calls.find((c) => c.channel === 'models:show')?.params).toEqual({ name: 'llama3.2' });
  });

  it('before a message would overflow, asks; "Drop the oldest turns" is saved for the conversation, then the message goes', async () => {
    const fake = answered();
    await openFull(fake);
    await screen.findByText(/of 8,192 tokens/);
    fireEvent.change(screen.getByRole('textbox', { name: 'Message' }), { target: { value: 'x'.repeat(4000) } });
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    const prompt = await screen.findByText(/would not fit the context window/);
    expect(fake.calls.some((c) => c.channel === 'chat:send')).toBe(false);
    fireEvent.click(within(prompt.parentElement!).getByRole('button', { name: 'Drop the oldest turns' }));
    await waitFor(() => expect(fake.calls.find((c) => c.channel === 'chat:send')).toBeTruthy());
    expect(fake.calls.find((c) => c.channel === 'chat:update')?.params).toEqual({ conversationId: 'c1', overflow: 'drop-oldest' });
  });

  it('a short message goes at once', async () => {
    const fake = answered();
    await openFull(fake);
    await screen.findByText(/of 8,192 tokens/);
    fireEvent.change(screen.getByRole('textbox', { name: 'Message' }), { target: { value: 'short' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(fake.calls.find((c) => c.channel === 'chat:send')?.params).toEqual({ conversationId: 'c1', text: 'short' }));
  });
});
