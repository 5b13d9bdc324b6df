// @vitest-environment jsdom
import { cleanup, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { SsoSection } from '../../src-renderer/settings/SsoSection.js';
import { fakeApi, ssoStatus } from './fake-api.js';
import { renderWithApi } from './render.js';

afterEach(cleanup);

async function intro(tokenStorage: 'keychain' | 'file'): Promise<string> {
  const fake = fakeApi();
  fake.sso.statuses = [ssoStatus('oidc', { tokenStorage }), ssoStatus('github', { tokenStorage })];
  renderWithApi(fake.connection, <SsoSection />);
  return (await screen.findByText(/Tokens are kept/)).textContent ?? '';
}

describe('the Sign-in section says where tokens are kept', () => {
  it('in the system keychain, where the desktop app has one', async () => {
    expect(await intro('keychain')).toContain('Tokens are kept encrypted with your system keychain.');
  });

  it('in a file only the user can read, otherwise', async () => {
    expect(await intro('file')).toContain('Tokens are kept in a file only your user account can read; no system keychain is used.');
  });
});
