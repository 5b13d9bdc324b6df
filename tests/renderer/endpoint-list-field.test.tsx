// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConfigEntry } from '../../src-shared/contract.js';
import { SettingsView } from '../../src-renderer/settings/SettingsView.js';
import { fakeApi } from './fake-api.js';
import { renderWithApi } from './render.js';

afterEach(cleanup);

const OLLAMA: ConfigEntry = {
  key: 'OLLAMA_HOST',
  kind: 'urls',
  description: 'Ollama servers.',
  default: 'http://127.0.0.1:11434',
  value: 'http://gpu-1:11434|weight=2',
  set: true,
  secret: false,
  source: 'file',
  appliesAt: 'live',
};

function mount() {
  const fake = fakeApi();
  const set = vi.fn(async (_p: { values: Record<string, string> }) => ({ saved: true, errors: {} }));
  Object.assign(fake.api.config, { get: async () => [OLLAMA], set });
  renderWithApi(fake.connection, <SettingsView />);
  return set;
}

describe('a list of model servers in Settings', () => {
  it('shows each server as a row of address and weight, and saves the rows as one list', async () => {
    const set = mount();
    const first = await screen.findByLabelText<HTMLInputElement>('Server 1 address');
    expect(first.value).toBe('http://gpu-1:11434');
    expect(screen.getByLabelText<HTMLInputElement>('Server 1 weight').value).toBe('2');
    fireEvent.click(screen.getByRole('button', { name: 'Add model server' }));
    fireEvent.change(screen.getByLabelText('Server 2 address'), { target: { value: 'http://gpu-2:11434' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add model server' }));
    fireEvent.change(screen.getByLabelText('Server 3 address'), { target: { value: 'gpu-3:11434' } });
    fireEvent.change(screen.getByLabelText('Server 3 weight'), { target: { value: '3' } });
    fireEvent.click(screen.getByRole('button', { name: 'Remove server 2' }));
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(set).toHaveBeenCalledTimes(1));
    expect(set.mock.calls[0]![0]).toEqual({ values: { OLLAMA_HOST: 'http://gpu-1:11434|weight=2,gpu-3:11434|weight=3' } });
  });
});
