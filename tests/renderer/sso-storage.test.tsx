// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiProvider } from '../../src-renderer/api/context.js';
import { ToastProvider } from '../../src-renderer/app/Toasts.js';
import { SsoSection } from '../../src-renderer/settings/SsoSection.js';
import { fakeApi, ssoStatus } from './fake-api.js';

afterEach(cleanup);

async function intro(tokenStorage: 'keychain' | 'file'): Promise<string> {
  const fake = fakeApi();
  fake.sso.statuses = [ssoStatus('oidc', { tokenStorage }), ssoStatus('github', { tokenStorage })];
  render(
    <ApiProvider connection={fake.connection}>
      <ToastProvider>
        <SsoSection />
      </ToastProvider>
    </ApiProvider>,
  );
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
