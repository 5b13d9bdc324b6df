// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SettingsView } from '../../src-renderer/settings/SettingsView.js';
import { SsoSection } from '../../src-renderer/settings/SsoSection.js';
import { fakeApi, ssoStatus, type FakeApi } from './fake-api.js';
import { renderWithApi } from './render.js';

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

/** Fast polling: the section asks every 2 s in the app; 20 ms here. */
const POLL_MS = 20;

function mount(setup: (fake: FakeApi) => void = () => undefined) {
  const fake = fakeApi();
  setup(fake);
  renderWithApi(fake.connection, <SsoSection pollMs={POLL_MS} />);
  return fake;
}

const row = (name: string) => screen.findByRole('group', { name });
const calls = (fake: FakeApi, channel: string) => fake.calls.filter((c) => c.channel === channel);

/** The host's background wait ends: approved (signed in) or not. */
function hostFinishes(fake: FakeApi, provider: 'oidc' | 'github', signedIn: boolean) {
  fake.sso.statuses = fake.sso.statuses.map((s) =>
    s.provider === provider
      ? { ...s, pending: false, signedIn, ...(signedIn ? { expiresAt: '2030-01-02T03:04:05.000Z', scope: 'repo' } : {}) }
      : s,
  );
}

describe('sign-in (settings)', () => {
  it('is a section of Settings, headed "Sign-in"', async () => {
    const fake = fakeApi();
    renderWithApi(fake.connection, <SettingsView />);
    expect(await screen.findByRole('heading', { name: 'Sign-in' })).toBeTruthy();
    await row('OpenID Connect');
    await row('GitHub');
  });

  it('says which settings a provider that is not configured needs, and offers no sign-in', async () => {
    mount();
    const oidc = await row('OpenID Connect');
    const github = await row('GitHub');
    await within(oidc).findByText('Not configured');
    expect(oidc.textContent).toContain('Needs OIDC_ISSUER and OIDC_CLIENT_ID');
    expect(github.textContent).toContain('Needs GITHUB_CLIENT_ID');
    expect(screen.queryByRole('button', { name: 'Sign in' })).toBeNull();
  });

  it('start → the code is shown with its link and time left → approved → signed in', async () => {
    const fake = mount((f) => {
      f.sso.statuses = [ssoStatus('oidc', { configured: false }), ssoStatus('github')];
    });
    const github = await row('GitHub');
    await within(github).findByText('Not signed in');
    fireEvent.click(within(github).getByRole('button', { name: 'Sign in' }));

    // The code, large, with a copy button; the link opens outside the window.
    const code = await within(github).findByTestId('sso-user-code');
    expect(code.textContent).toBe('WDJB-MJHT');
    const link = within(github).getByRole('link', { name: 'https://example.com/device' });
    expect(link.getAttribute('href')).toBe('https://example.com/device?user_code=WDJB-MJHT');
    expect(link.getAttribute('target')).toBe('_blank');
    expect(link.getAttribute('rel')).toContain('noopener');
    expect(within(github).getByRole('timer').textContent).toMatch(/Code expires in 1[45]:\d\d/);
    expect(calls(fake, 'sso:start').map((c) => c.params)).toEqual([{ provider: 'github' }]);

    const writeText = vi.fn(async () => undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    fireEvent.click(within(github).getByRole('button', { name: 'Copy code' }));
    await waitFor(() => expect(writeText).toHaveBeenCalledWith('WDJB-MJHT'));

    // It keeps asking while the host waits.
    const before = calls(fake, 'sso:status').length;
    await waitFor(() => expect(calls(fake, 'sso:status').length).toBeGreaterThan(before + 2));
    expect(within(github).getByTestId('sso-user-code')).toBeTruthy();

    hostFinishes(fake, 'github', true);
    await within(github).findByText('Signed in');
    expect(within(github).queryByTestId('sso-user-code')).toBeNull();
    expect(github.textContent).toContain(`Until ${new Date('2030-01-02T03:04:05.000Z').toLocaleString()}`);
    expect(github.textContent).toContain('repo');
    expect(within(github).getByRole('button', { name: 'Sign out' })).toBeTruthy();
    expect(await screen.findByText('Signed in with GitHub')).toBeTruthy();

    // Signed in: it stops asking.
    const settled = calls(fake, 'sso:status').length;
    await new Promise((r) => setTimeout(r, POLL_MS * 6));
    expect(calls(fake, 'sso:status').length).toBe(settled);
  });

  it('a code nobody approves in time expires: the flow is cancelled and sign-in is offered again', async () => {
    const fake = mount((f) => {
      f.sso.statuses = [ssoStatus('oidc'), ssoStatus('github', { configured: false })];
      f.sso.code = { ...f.sso.code, expiresIn: 1 };
    });
    const oidc = await row('OpenID Connect');
    fireEvent.click(await within(oidc).findByRole('button', { name: 'Sign in' }));
    await within(oidc).findByTestId('sso-user-code');
    expect(await within(oidc).findByText(/The code expired/, undefined, { timeout: 4000 })).toBeTruthy();
    expect(within(oidc).queryByTestId('sso-user-code')).toBeNull();
    expect(calls(fake, 'sso:cancel').map((c) => c.params)).toEqual([{ provider: 'oidc' }]);
    expect(within(oidc).getByRole('button', { name: 'Sign in' })).toBeTruthy();
  });

  it('a declined sign-in says it did not complete', async () => {
    const fake = mount((f) => {
      f.sso.statuses = [ssoStatus('oidc'), ssoStatus('github')];
    });
    const oidc = await row('OpenID Connect');
    fireEvent.click(await within(oidc).findByRole('button', { name: 'Sign in' }));
    await within(oidc).findByTestId('sso-user-code');
    hostFinishes(fake, 'oidc', false);
    expect(await within(oidc).findByText(/did not complete/)).toBeTruthy();
    expect(within(oidc).getByRole('button', { name: 'Sign in' })).toBeTruthy();
  });

  it('Cancel drops the code', async () => {
    const fake = mount((f) => {
      f.sso.statuses = [ssoStatus('oidc', { configured: false }), ssoStatus('github')];
    });
    const github = await row('GitHub');
    fireEvent.click(await within(github).findByRole('button', { name: 'Sign in' }));
    await within(github).findByTestId('sso-user-code');
    fireEvent.click(within(github).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(calls(fake, 'sso:cancel').map((c) => c.params)).toEqual([{ provider: 'github' }]));
    expect(within(github).queryByTestId('sso-user-code')).toBeNull();
    expect(await within(github).findByRole('button', { name: 'Sign in' })).toBeTruthy();
    expect(within(github).queryByRole('alert')).toBeNull();
  });

  it('a start the host refuses shows its message', async () => {
    const fake = mount((f) => {
      f.sso.statuses = [ssoStatus('oidc'), ssoStatus('github', { configured: false })];
    });
    Object.assign(fake.api.sso, { start: async () => Promise.reject(new Error('The OIDC issuer could not be reached.')) });
    const oidc = await row('OpenID Connect');
    fireEvent.click(await within(oidc).findByRole('button', { name: 'Sign in' }));
    expect((await within(oidc).findByRole('alert')).textContent).toContain('The OIDC issuer could not be reached.');
  });

  it('Sign out when signed in', async () => {
    const fake = mount((f) => {
      f.sso.statuses = [
        ssoStatus('oidc', { signedIn: true, expiresAt: null, scope: 'openid profile' }),
        ssoStatus('github', { configured: false }),
      ];
    });
    const oidc = await row('OpenID Connect');
    await within(oidc).findByText('Signed in');
    expect(oidc.textContent).toContain('No expiry');
    fireEvent.click(within(oidc).getByRole('button', { name: 'Sign out' }));
    await within(oidc).findByText('Not signed in');
    expect(calls(fake, 'sso:signOut').map((c) => c.params)).toEqual([{ provider: 'oidc' }]);
    expect(await screen.findByText('Signed out of OpenID Connect')).toBeTruthy();
  });

  it('a sign-in already waiting when the page opens is watched until it ends', async () => {
    const fake = mount((f) => {
      f.sso.statuses = [ssoStatus('oidc', { configured: false }), ssoStatus('github', { pending: true })];
    });
    const github = await row('GitHub');
    await within(github).findByText(/started earlier is waiting/);
    hostFinishes(fake, 'github', true);
    await within(github).findByText('Signed in');
  });
});
