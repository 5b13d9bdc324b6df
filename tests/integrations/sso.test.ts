import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createIntegrations } from '../../src-main/integrations/index.js';
import { pollForToken, type FlowEndpoints } from '../../src-main/integrations/sso/device-flow.js';
import { FileTokenStore, SsoManager } from '../../src-main/integrations/sso/index.js';
import { CallStats } from '../../src-main/integrations/stats.js';
import {
  ctx,
  integrationEngine,
  startDeviceServer,
  startGitHub,
  type IntegrationEngine,
  type OAuthStep,
  type StandIn,
} from '../helpers/integration-standins.js';

let engine: IntegrationEngine | undefined;
const servers: StandIn[] = [];
let tmp: string | undefined;

afterEach(async () => {
  await engine?.dispose();
  for (const s of servers.splice(0)) await s.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  engine = tmp = undefined;
});

const PENDING: OAuthStep = { body: { error: 'authorization_pending' } };
const SLOW_DOWN: OAuthStep = { body: { error: 'slow_down' } };

async function oidc(
  script: OAuthStep[],
  refresh?: OAuthStep,
): Promise<{ sso: SsoManager; idp: StandIn; waits: number[]; store: FileTokenStore }> {
  const idp = await startDeviceServer('oidc', script, refresh);
  servers.push(idp);
  engine = await integrationEngine(`OIDC_ISSUER=${idp.url}\nOIDC_CLIENT_ID=vega-desktop\n`);
  const waits: number[] = [];
  const store = new FileTokenStore(path.join(engine.rm.dataDir, 'tokens.json'));
  const sso = new SsoManager(engine.rm, { tokenStore: store, sleep: async (ms) => void waits.push(ms) });
  return { sso, idp, waits, store };
}

describe('SSO: OIDC device authorization grant', () => {
  it('discovers the endpoints, hands out the code, and polls: pending → slow_down → signed in', async () => {
    const { sso, idp, waits, store } = await oidc([
      PENDING,
      SLOW_DOWN,
      {
        body: {
          access_token: 'at-secret-1',
          refresh_token: 'rt-secret-1',
          token_type: 'Bearer',
          expires_in: 3600,
          scope: 'openid profile',
        },
      },
    ]);
    const code = await sso.start('oidc');
    expect(code).toEqual({
      userCode: 'WDJB-MJHT',
      verificationUri: `${idp.url}/activate`,
      verificationUriComplete: `${idp.url}/activate?code=WDJB-MJHT`,
      expiresIn: 900,
      interval: 0,
    });
    expect(JSON.stringify(code)).not.toContain('device-code-secret');
    const status = await sso.wait('oidc');
    expect(status).toMatchObject({ provider: 'oidc', configured: true, signedIn: true, scope: 'openid profile', pending: false });
    // interval 0, then 0 again after "pending", then +5 s after "slow_down".
    expect(waits).toEqual([0, 0, 5000]);
    expect(idp.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /.well-known/openid-configuration',
      'POST /oauth/device',
      'POST /oauth/token',
      'POST /oauth/token',
      'POST /oauth/token',
    ]);
    const device = new URLSearchParams(idp.requests[1]!.body);
    expect(device.get('client_id')).toBe('vega-desktop');
    expect(device.get('scope')).toContain('openid');
    const poll = new URLSearchParams(idp.requests[2]!.body);
    expect(Object.fromEntries(poll)).toEqual({
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
      device_code: 'device-code-secret',
      client_id: 'vega-desktop',
    });
    expect(await sso.accessToken('oidc')).toBe('at-secret-1');
    expect(JSON.parse((await store.get('sso.oidc'))!)).toMatchObject({ accessToken: 'at-secret-1', refreshToken: 'rt-secret-1' });
  });

  it('an expired code is a clear error', async () => {
    const { sso } = await oidc([PENDING, { body: { error: 'expired_token' } }]);
    await sso.start('oidc');
    await expect(sso.wait('oidc')).rejects.toMatchObject({
      code: 'TIMEOUT',
      message: expect.stringMatching(/code expired before it was approved; start the sign-in again/),
    });
    expect((await sso.status())[0]).toMatchObject({ signedIn: false, pending: false });
  });

  it('a declined sign-in is a clear error', async () => {
    const { sso } = await oidc([{ body: { error: 'access_denied', error_description: 'The user said no' } }]);
    await sso.start('oidc');
    await expect(sso.wait('oidc')).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringMatching(/sign-in was declined/) });
    expect(await sso.accessToken('oidc')).toBeUndefined();
  });

  it('stops polling when the local expiry passes, whatever the server keeps saying', async () => {
    const idp = await startDeviceServer('oidc', [PENDING]);
    servers.push(idp);
    engine = await integrationEngine('');
    let clock = 0;
    const ep: FlowEndpoints = {
      service: { name: 'IdP' },
      deviceUrl: new URL(`${idp.url}/oauth/device`),
      tokenUrl: new URL(`${idp.url}/oauth/token`),
      clientId: 'c',
      scope: '',
    };
    const grant = { deviceCode: 'd', userCode: 'u', verificationUri: 'v', expiresIn: 10, interval: 2 };
    const polls = pollForToken(engine.rm, new CallStats('sso'), ep, grant, {
      signal: new AbortController().signal,
      now: () => clock,
      sleep: async (ms) => void (clock += ms),
    });
    await expect(polls).rejects.toThrow(/expired/);
    expect(idp.requests.length).toBe(4);
  });

  it('refreshes before expiry when a refresh token exists, keeping it when the server sends none', async () => {
    const { sso, store, idp } = await oidc([], { body: { access_token: 'at-secret-2', token_type: 'Bearer', expires_in: 3600 } });
    await store.set(
      'sso.oidc',
      JSON.stringify({ accessToken: 'at-old', refreshToken: 'rt-secret-1', tokenType: 'Bearer', expiresAt: Date.now() + 30_000 }),
    );
    expect(await sso.accessToken('oidc')).toBe('at-secret-2');
    const refresh = new URLSearchParams(idp.requests.at(-1)!.body);
    expect(Object.fromEntries(refresh)).toEqual({ grant_type: 'refresh_token', refresh_token: 'rt-secret-1', client_id: 'vega-desktop' });
    expect(JSON.parse((await store.get('sso.oidc'))!)).toMatchObject({ accessToken: 'at-secret-2', refreshToken: 'rt-secret-1' });
    // Fresh now: no second refresh.
    expect(await sso.accessToken('oidc')).toBe('at-secret-2');
    expect(idp.requests.filter((r) => r.body.includes('refresh_token'))).toHaveLength(1);
  });

  it('a refused refresh signs out; a token far from expiry is used as is', async () => {
    const { sso, store } = await oidc([]);
    await store.set(
      'sso.oidc',
      JSON.stringify({ accessToken: 'at-old', refreshToken: 'rt-dead', tokenType: 'Bearer', expiresAt: Date.now() - 1000 }),
    );
    expect(await sso.accessToken('oidc')).toBeUndefined();
    expect(await store.get('sso.oidc')).toBeUndefined();
    await store.set('sso.oidc', JSON.stringify({ accessToken: 'at-long', tokenType: 'Bearer', expiresAt: Date.now() + 3_600_000 }));
    expect(await sso.accessToken('oidc')).toBe('at-long');
  });

  it('sign out deletes the token', async () => {
    const { sso, store } = await oidc([]);
    await store.set('sso.oidc', JSON.stringify({ accessToken: 'at-x', tokenType: 'Bearer' }));
    expect((await sso.status())[0]).toMatchObject({ signedIn: true });
    await sso.signOut('oidc');
    expect(await store.get('sso.oidc')).toBeUndefined();
    expect((await sso.status())[0]).toMatchObject({ signedIn: false });
  });

  it('not set up, or a provider without device sign-in, is said clearly', async () => {
    engine = await integrationEngine('');
    const sso = new SsoManager(engine.rm, { tokenStore: new FileTokenStore(path.join(engine.rm.dataDir, 't.json')) });
    await expect(sso.start('oidc')).rejects.toThrow(/Single sign-on is not set up: set OIDC_ISSUER and OIDC_CLIENT_ID/);
    await expect(sso.start('github')).rejects.toThrow(/set GITHUB_CLIENT_ID/);
    await expect(sso.wait('oidc')).rejects.toThrow(/No single sign-on sign-in is waiting/);
    const idp = await startDeviceServer('oidc', []);
    servers.push(idp);
    idp.route('GET /.well-known/openid-configuration', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ issuer: idp.url, token_endpoint: `${idp.url}/oauth/token` }));
    });
    await engine.dispose();
    engine = await integrationEngine(`OIDC_ISSUER=${idp.url}\nOIDC_CLIENT_ID=c\n`);
    const sso2 = new SsoManager(engine.rm, { tokenStore: new FileTokenStore(path.join(engine.rm.dataDir, 't.json')) });
    await expect(sso2.start('oidc')).rejects.toThrow(/does not offer device sign-in/);
  });

  it('tokens and the device code never appear in logs, statuses, stats or errors', async () => {
    const { sso } = await oidc(
      [PENDING, { body: { access_token: 'at-secret-1', refresh_token: 'rt-secret-1', token_type: 'Bearer', expires_in: 30 } }],
      { status: 400, body: { error: 'server_error', error_description: 'down' } },
    );
    await sso.start('oidc');
    await sso.wait('oidc');
    engine!.rm.logger.info({ note: 'at-secret-1 rt-secret-1 device-code-secret' }, 'a careless log line');
    // Expires in 30 s: the refresh fails (500-ish error), and the old token is still returned.
    expect(await sso.accessToken('oidc')).toBe('at-secret-1');
    await engine!.rm.shutdown();
    const dir = path.join(engine!.rm.dataDir, 'logs');
    const log = readdirSync(dir)
      .map((f) => readFileSync(path.join(dir, f), 'utf8'))
      .join('');
    expect(log).toContain('a careless log line');
    expect(log).toContain('Sign-in refresh');
    const visible = log + JSON.stringify(await sso.status()) + JSON.stringify(sso.stats.snapshot());
    for (const secret of ['at-secret-1', 'rt-secret-1', 'device-code-secret']) expect(visible).not.toContain(secret);
  });
});

describe('SSO: GitHub device flow', () => {
  it('signs in (pending → slow_down → token) and the GitHub tools then use the token', async () => {
    const gh = await startDeviceServer('github', [
      PENDING,
      { body: { error: 'slow_down', interval: 10 } },
      { body: { access_token: 'gho_secret', token_type: 'bearer', scope: 'repo' } },
    ]);
    const api = await startGitHub();
    servers.push(gh, api);
    engine = await integrationEngine('GITHUB_CLIENT_ID=Iv1.vega\n');
    const waits: number[] = [];
    const integrations = createIntegrations(engine.rm, {
      githubUrl: gh.url,
      githubApiUrl: api.url,
      sleep: async (ms) => void waits.push(ms),
    });
    const code = await integrations.sso.start('github');
    expect(code.userCode).toBe('WDJB-MJHT');
    expect(await integrations.sso.wait('github')).toMatchObject({ provider: 'github', signedIn: true, expiresAt: null, scope: 'repo' });
    // GitHub's slow_down carries its new interval (10 s), longer than +5.
    expect(waits).toEqual([0, 0, 10_000]);
    expect(gh.requests[1]?.headers.accept).toBe('application/json');
    expect(new URLSearchParams(gh.requests[0]!.body).get('client_id')).toBe('Iv1.vega');
    await integrations.tools.find((t) => t.name === 'github_search_issues')!.run({ query: 'x' }, ctx());
    expect(api.requests[0]?.headers.authorization).toBe('Bearer gho_secret');
    // The default store: a 0600 file in the data dir.
    const file = path.join(engine.rm.dataDir, 'tokens.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('GitHub errors sent with HTTP 200 are understood: expired and denied', async () => {
    for (const [error, why] of [
      ['expired_token', /expired/],
      ['access_denied', /declined/],
      ['device_flow_disabled', /Enable Device Flow/],
    ] as const) {
      const gh = await startDeviceServer('github', [{ body: { error } }]);
      servers.push(gh);
      engine = await integrationEngine('GITHUB_CLIENT_ID=Iv1.vega\n');
      const sso = new SsoManager(engine.rm, {
        tokenStore: new FileTokenStore(path.join(engine.rm.dataDir, 't.json')),
        githubUrl: gh.url,
        sleep: async () => {},
      });
      await sso.start('github');
      await expect(sso.wait('github')).rejects.toThrow(why);
      await engine.dispose();
      engine = undefined;
    }
  });
});

describe('FileTokenStore', () => {
  it('writes a 0600 JSON file atomically, reads it back in a new instance, and deletes', async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'vega-tokens-'));
    const file = path.join(tmp, 'nested', 'tokens.json');
    const a = new FileTokenStore(file);
    await Promise.all([a.set('one', '1'), a.set('two', '2'), a.set('three', '3')]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(path.dirname(file))).toEqual(['tokens.json']);
    const b = new FileTokenStore(file);
    expect([await b.get('one'), await b.get('two'), await b.get('three')]).toEqual(['1', '2', '3']);
    await b.delete('two');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ one: '1', three: '3' });
  });

  it('a damaged file reads as empty and is replaced on the next save', async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'vega-tokens-'));
    const file = path.join(tmp, 'tokens.json');
    writeFileSync(file, '{not json');
    const s = new FileTokenStore(file);
    expect(await s.get('x')).toBeUndefined();
    await s.set('x', 'y');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ x: 'y' });
  });
});
