// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../src-renderer/app/App.js';
import { COPIED_MS, CopyButton } from '../../src-renderer/app/CopyButton.js';
import { TOAST_MS, ToastProvider, useToast } from '../../src-renderer/app/Toasts.js';
import { fakeApi, resourceSnapshot, ssoStatus, summary, type FakeApi } from './fake-api.js';
import { fakeLayout, fakeResizeObserver } from './layout.js';
import { loadLazyViews } from './lazy-views.js';
import { renderWithApi } from './render.js';

// Every timer, interval and frame a component starts is cleared when it
// unmounts: one left behind fires after a test's DOM is gone (vitest then
// fails the run with "window is not defined"), and in the app it sets state
// on a view that was closed.

const CLOCKS = [
  'setTimeout',
  'clearTimeout',
  'setInterval',
  'clearInterval',
  'requestAnimationFrame',
  'cancelAnimationFrame',
  'Date',
] as const;

let restore: (() => void)[] = [];
beforeAll(async () => {
  await loadLazyViews();
  restore = [fakeLayout(), fakeResizeObserver()];
});
afterAll(() => restore.forEach((r) => r()));

let consoleErrors: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  vi.useFakeTimers({ toFake: [...CLOCKS] });
  consoleErrors = vi.spyOn(console, 'error');
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
  vi.restoreAllMocks();
  window.history.replaceState(null, '', '/');
});

/** A clipboard whose write the test finishes. */
function clipboard(): { finish(): void } {
  let finish = () => undefined as void;
  const writeText = () => new Promise<void>((resolve) => (finish = resolve));
  Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
  return { finish: () => finish() };
}

/** Let awaited promises and due timers run, inside React's act. */
const settle = (ms = 0) => act(() => vi.advanceTimersByTimeAsync(ms));

describe('a timer ends with the component that started it', () => {
  it('Copy says "Copied" for a moment, then "Copy" again', async () => {
    const cb = clipboard();
    render(<CopyButton className="btn" text={() => 'WDJB-MJHT'} />);
    fireEvent.click(screen.getByRole('button', { name: 'Copy code' }));
    cb.finish();
    await settle();
    expect(screen.getByRole('button', { name: 'Copied' })).toBeTruthy();
    await settle(COPIED_MS - 1);
    expect(screen.getByRole('button', { name: 'Copied' })).toBeTruthy();
    await settle(1);
    expect(screen.getByRole('button', { name: 'Copy code' })).toBeTruthy();
  });

  it('a Copy button unmounted while it says "Copied" leaves no timer, and nothing fires later', async () => {
    const cb = clipboard();
    const view = render(<CopyButton className="btn" text={() => 'WDJB-MJHT'} />);
    fireEvent.click(screen.getByRole('button', { name: 'Copy code' }));
    cb.finish();
    await settle();
    expect(vi.getTimerCount()).toBe(1);
    view.unmount();
    expect(vi.getTimerCount()).toBe(0);
    await settle(COPIED_MS * 2);
    expect(consoleErrors).not.toHaveBeenCalled();
  });

  it('a copy that finishes after the unmount starts no timer', async () => {
    const cb = clipboard();
    const view = render(<CopyButton className="btn" text={() => 'WDJB-MJHT'} />);
    fireEvent.click(screen.getByRole('button', { name: 'Copy code' }));
    view.unmount();
    cb.finish();
    await settle();
    expect(vi.getTimerCount()).toBe(0);
    expect(consoleErrors).not.toHaveBeenCalled();
  });

  it('a toast goes after its time; the provider unmounted with toasts showing leaves no timer', async () => {
    function Notify() {
      const toast = useToast();
      return (
        <button type="button" onClick={() => toast('Saved')}>
          Notify
        </button>
      );
    }
    const view = render(
      <ToastProvider>
        <Notify />
      </ToastProvider>,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Notify' }));
    expect(screen.getByRole('status').textContent).toBe('Saved');
    await settle(TOAST_MS);
    expect(screen.getByRole('status').textContent).toBe('');

    fireEvent.click(screen.getByRole('button', { name: 'Notify' }));
    fireEvent.click(screen.getByRole('button', { name: 'Notify' }));
    expect(vi.getTimerCount()).toBe(2);
    view.unmount();
    expect(vi.getTimerCount()).toBe(0);
    await settle(TOAST_MS);
    expect(consoleErrors).not.toHaveBeenCalled();
  });
});

/** Each view with the timers it runs while open: a search's pause, a countdown, a poll, a frame. */
const VIEWS: { name: string; hash: string; ready: string; setup(fake: FakeApi): void; act?(fake: FakeApi): void }[] = [
  {
    name: 'chat',
    hash: '',
    ready: 'Pools',
    setup: () => undefined,
    act: (fake) => {
      fireEvent.change(screen.getByRole('searchbox', { name: 'Search conversations' }), { target: { value: 'poo' } });
      fake.emit({ type: 'token', conversationId: 'c1', messageId: 'a1', text: 'streaming' });
    },
  },
  {
    name: 'dashboard',
    hash: '#dashboard',
    ready: 'Loaded models',
    setup: (fake) => {
      const model = { name: 'llama3.2:latest', size: 2e9, sizeVram: 2e9, expiresAt: new Date(Date.now() + 300_000).toISOString() };
      Object.assign(fake.api.resources, { providers: async () => ({ providers: [], loadedModels: [model] }) });
    },
    act: (fake) => fake.snapshot(resourceSnapshot(Date.now())),
  },
  {
    name: 'logs',
    hash: '#logs',
    ready: 'Logs',
    setup: () => undefined,
    act: () => fireEvent.change(screen.getByRole('textbox', { name: 'Request ID' }), { target: { value: 'abc' } }),
  },
  {
    name: 'settings',
    hash: '#settings',
    ready: 'Sign-in',
    setup: (fake) => {
      fake.sso.statuses = [ssoStatus('oidc', { pending: true }), ssoStatus('github', { configured: false })];
    },
  },
];

describe('the whole app, closed with its timers running', () => {
  it.each(VIEWS)('leaves none behind: $name', async (view) => {
    const fake = fakeApi([{ ...summary('c1', 'Pools'), messages: [] }]);
    view.setup(fake);
    window.history.replaceState(null, '', `/${view.hash}`);
    const app = renderWithApi(fake.connection, <App />);
    await settle(50);
    act(() => view.act?.(fake));
    await settle(1);
    expect(screen.getAllByText(view.ready).length).toBeGreaterThan(0);
    expect(vi.getTimerCount(), 'timers running while the view is open').toBeGreaterThan(0);
    app.unmount();
    // The charts' store batches its change notices on a frame or a 100 ms timer, each run once: let those end.
    await settle(100);
    expect(vi.getTimerCount()).toBe(0);
    await settle(60_000);
    expect(consoleErrors).not.toHaveBeenCalled();
  });
});
