// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConfigEntry } from '../../src-shared/contract.js';
import { ApiProvider } from '../../src-renderer/api/context.js';
import { LocalServerSection } from '../../src-renderer/settings/LocalServerSection.js';
import { fakeApi } from './fake-api.js';

afterEach(cleanup);

const entry = (key: ConfigEntry['key'], value: string, set = value !== ''): ConfigEntry => ({
  key,
  kind: 'int',
  description: '',
  default: '',
  value,
  set,
  secret: false,
  source: set ? 'file' : 'default',
  appliesAt: 'restart',
});

function mount(host: 'electron' | 'web', entries: ConfigEntry[], pending = false) {
  const fake = fakeApi();
  Object.assign(fake.api.app, { info: async () => ({ version: '0.0.0', host, dataDir: '/tmp', platform: 'linux' }) });
  render(
    <ApiProvider connection={fake.connection}>
      <LocalServerSection entries={entries} pending={pending} />
    </ApiProvider>,
  );
}

describe('Settings → Local server', () => {
  it('shows the desktop address with a copy button once a port is set', async () => {
    mount('electron', [entry('VEGA_LOCAL_SERVER_PORT', '1234'), { ...entry('VEGA_API_KEY', '', true), secret: true }], true);
    expect((await screen.findByTestId('local-server-address')).textContent).toBe('http://127.0.0.1:1234/v1');
    expect(screen.getByRole('button', { name: 'Copy address' })).toBeTruthy();
    expect(screen.getByText(/after Vega restarts/)).toBeTruthy();
    expect(screen.queryByRole('status')).toBeNull();
  });

  it('says it is off without a port, and asks for the key when there is none', async () => {
    mount('electron', [entry('VEGA_LOCAL_SERVER_PORT', '')]);
    expect(await screen.findByText(/^Off\./)).toBeTruthy();
    cleanup();
    mount('electron', [entry('VEGA_LOCAL_SERVER_PORT', '1234'), entry('VEGA_API_KEY', '')]);
    expect((await screen.findByRole('status')).textContent).toContain('VEGA_API_KEY');
  });

  it('on the web host, the API is at the page’s own address', async () => {
    mount('web', [entry('VEGA_LOCAL_SERVER_PORT', '')]);
    expect((await screen.findByTestId('local-server-address')).textContent).toBe(`${window.location.origin}/v1`);
  });
});
