// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConfigEntry, RestartResult } from '../../src-shared/contract.js';
import { SettingsView } from '../../src-renderer/settings/SettingsView.js';
import { fakeApi } from './fake-api.js';
import { renderWithApi } from './render.js';

afterEach(cleanup);

const ENTRIES: ConfigEntry[] = [
  {
    key: 'VEGA_MODEL',
    kind: 'string',
    description: 'Default model.',
    default: 'llama3.2',
    value: 'llama3.2',
    set: false,
    secret: false,
    source: 'default',
    appliesAt: 'live',
  },
  {
    key: 'VEGA_PORT',
    kind: 'int',
    description: 'Port of the web host.',
    default: '8000',
    value: '8000',
    set: false,
    secret: false,
    source: 'default',
    appliesAt: 'restart',
  },
];

function mount(answer: RestartResult) {
  const fake = fakeApi();
  const restart = vi.fn(() => Promise.resolve(answer));
  Object.assign(fake.api.config, { get: () => Promise.resolve(ENTRIES), set: () => Promise.resolve({ saved: true, errors: {} }) });
  Object.assign(fake.api.app, { restart });
  renderWithApi(fake.connection, <SettingsView />);
  return restart;
}

async function save(key: string, value: string) {
  fireEvent.change(await screen.findByLabelText(key), { target: { value } });
  fireEvent.click(screen.getByRole('button', { name: 'Save' }));
  await screen.findByText('Settings saved');
}

describe('settings that need a restart', () => {
  it('marks the keys read only at start, and only those', async () => {
    mount({ restarting: true, message: 'Vega is restarting.' });
    const port = await screen.findByLabelText('VEGA_PORT');
    expect(port.closest('.setting')?.textContent).toContain('needs restart');
    expect(screen.getByLabelText('VEGA_MODEL').closest('.setting')?.textContent).not.toContain('needs restart');
    // Said in the field's description too, so a screen reader hears it with the field.
    const desc = document.getElementById(port.getAttribute('aria-describedby')!.split(' ')[0]!);
    expect(desc?.textContent).toContain('applies when Vega restarts');
  });

  it('saving a live key offers no restart', async () => {
    const restart = mount({ restarting: true, message: 'Vega is restarting.' });
    await save('VEGA_MODEL', 'qwen2.5');
    expect(screen.queryByRole('button', { name: 'Restart now' })).toBeNull();
    expect(restart).not.toHaveBeenCalled();
  });

  it('after saving a restart key it offers "Restart now", which asks the host (Electron restarts)', async () => {
    const restart = mount({ restarting: true, message: 'Vega is restarting.' });
    await save('VEGA_PORT', '8100');
    expect(screen.getByText('VEGA_PORT applies when Vega restarts.')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Restart now' }));
    await waitFor(() => expect(restart).toHaveBeenCalledTimes(1));
    expect(await screen.findByText('Vega is restarting.')).toBeTruthy();
  });

  it("shows the web host's answer: the command must be restarted", async () => {
    mount({
      restarting: false,
      message: 'Vega runs from a command here: stop it (Ctrl+C) and start it again (npm run serve) for these settings to apply.',
    });
    await save('VEGA_PORT', '8100');
    fireEvent.click(screen.getByRole('button', { name: 'Restart now' }));
    expect(await screen.findByText(/start it again \(npm run serve\)/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Restart now' })).toBeNull();
  });
});
