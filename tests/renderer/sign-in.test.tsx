// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { webSocketConnection } from '../../src-renderer/api/connection.js';
import { CLOSE_UNAUTHORIZED } from '../../src-renderer/api/ws-transport.js';
import { Root } from '../../src-renderer/app/Root.js';
import { socketFactory } from './fake-socket.js';

const SIGN_IN = /Open the address printed by/;

/** Answers the few calls the app makes on start, as the web host would. */
function host(frame: { channel: string }): unknown {
  if (frame.channel === 'chat:list' || frame.channel === 'chat:models' || frame.channel === 'config:get') return [];
  if (frame.channel === 'setup:status') return { ready: true };
  return {};
}

function mount(token: string | null) {
  const f = socketFactory(host);
  const connection = webSocketConnection(token, window.location, f.make);
  render(<Root connection={connection} />);
  return f;
}

afterEach(() => {
  cleanup();
  vi.useRealTimers();
  sessionStorage.clear();
});

describe('sign-in screen', () => {
  it('shows the sign-in message, not the app, when the socket closes with 4401', () => {
    const f = mount('wrong');
    act(() => {
      f.last().open();
      f.last().drop(CLOSE_UNAUTHORIZED);
    });
    expect(screen.getByText(SIGN_IN)).toBeTruthy();
    expect(screen.getByLabelText('Key')).toBeTruthy();
    expect(screen.queryByRole('textbox', { name: 'Message' })).toBeNull();
    expect(screen.queryByRole('tab', { name: 'Dashboard' })).toBeNull();
  });

  it('shows it when the upgrade is refused (HTTP 401: the socket never opens)', async () => {
    vi.useFakeTimers();
    const f = mount('wrong');
    act(() => f.last().drop());
    await act(() => vi.advanceTimersByTimeAsync(1000));
    act(() => f.last().drop());
    expect(screen.getByText(SIGN_IN)).toBeTruthy();
    expect(screen.queryByRole('textbox', { name: 'Message' })).toBeNull();
  });

  it('shows it when there is no key at all', () => {
    const f = mount(null);
    expect(f.sockets).toHaveLength(0);
    expect(screen.getByText(SIGN_IN)).toBeTruthy();
  });

  it('a pasted key connects again and opens the app', async () => {
    const f = mount(null);
    fireEvent.change(screen.getByLabelText('Key'), { target: { value: 'good-key' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(f.last().url).toContain('token=good-key');
    expect(sessionStorage.getItem('vega.token')).toBe('good-key');
    // Nothing of the app until the host accepts the socket.
    expect(screen.queryByRole('textbox', { name: 'Message' })).toBeNull();
    act(() => f.last().open());
    expect(await screen.findByRole('textbox', { name: 'Message' })).toBeTruthy();
    expect(screen.queryByText(SIGN_IN)).toBeNull();
  });
});
