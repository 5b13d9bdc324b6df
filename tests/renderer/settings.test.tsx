// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConfigEntry } from '../../src-shared/contract.js';
import { SettingsView } from '../../src-renderer/settings/SettingsView.js';
import { fakeApi } from './fake-api.js';
import { renderWithApi } from './render.js';

afterEach(cleanup);

const ENTRIES: ConfigEntry[] = [
  {
    key: 'OLLAMA_HOST',
    kind: 'url',
    description: 'Ollama server.',
    default: 'http://127.0.0.1:11434',
    value: 'http://127.0.0.1:11434',
    set: true,
    secret: false,
    source: 'file',
    appliesAt: 'live',
  },
  {
    key: 'VEGA_HTTP_MAX_CONNECTIONS',
    kind: 'int',
    description: 'Connections per origin.',
    default: '100',
    value: '100',
    set: false,
    secret: false,
    source: 'default',
    appliesAt: 'restart',
  },
  {
    key: 'OPENAI_API_KEY',
    kind: 'secret',
    description: 'API key.',
    default: '',
    value: '',
    set: true,
    secret: true,
    source: 'file',
    appliesAt: 'live',
  },
];

function mount(result = { saved: true, errors: {} as Record<string, string> }) {
  const fake = fakeApi();
  const set = vi.fn(async (_p: { values: Record<string, string> }) => result);
  Object.assign(fake.api.config, { get: async () => ENTRIES, set });
  renderWithApi(fake.connection, <SettingsView />);
  return set;
}

describe('settings', () => {
  it('never shows a secret: it says one is set and offers to replace it', async () => {
    mount();
    const secret = await screen.findByLabelText('OPENAI_API_KEY');
    expect((secret as HTMLInputElement).type).toBe('password');
    expect((secret as HTMLInputElement).value).toBe('');
    expect(secret.getAttribute('placeholder')).toContain('••••• (set)');
    expect(screen.getByText('Ollama server.', { exact: false })).toBeTruthy();
  });

  it('saves only the keys that changed', async () => {
    const set = mount();
    fireEvent.change(await screen.findByLabelText('VEGA_HTTP_MAX_CONNECTIONS'), { target: { value: '50' } });
    fireEvent.change(screen.getByLabelText('OPENAI_API_KEY'), { target: { value: 'sk-new' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(set).toHaveBeenCalledTimes(1));
    expect(set.mock.calls[0]![0]).toEqual({ values: { VEGA_HTTP_MAX_CONNECTIONS: '50', OPENAI_API_KEY: 'sk-new' } });
    expect(await screen.findByText('Settings saved')).toBeTruthy();
  });

  it("shows the host's error next to its field", async () => {
    mount({ saved: false, errors: { VEGA_HTTP_MAX_CONNECTIONS: 'VEGA_HTTP_MAX_CONNECTIONS must be a whole number from 1 to 10000.' } });
    const field = await screen.findByLabelText('VEGA_HTTP_MAX_CONNECTIONS');
    fireEvent.change(field, { target: { value: 'lots' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    const err = await screen.findByText(/must be a whole number/);
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect(field.getAttribute('aria-describedby')).toContain(err.id);
  });
});
