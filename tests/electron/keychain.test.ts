import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KeychainTokenStore } from '../../src-main/integrations/sso/token-store.js';
import { safeStorageCipher } from '../../src-main/electron/keychain.js';
import { createFakeElectron, FakeSafeStorage, type FakeElectron } from './fake-electron.js';
import { startFakeHost, tempDir, type FakeHost } from './harness.js';

let h: FakeHost | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await h?.dispose();
  h = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A store in a temp folder over the fake's safeStorage, as the host builds it (ready unless told). */
function store(setup: (e: FakeElectron) => void = () => undefined, platform: NodeJS.Platform = 'linux') {
  const dir = tempDir('vega-keychain-');
  dirs.push(dir);
  const e = createFakeElectron(dir);
  setup(e);
  if (!e.app.ready) e.app.makeReady();
  return { dir, e, tokens: new KeychainTokenStore(dir, safeStorageCipher(e.app, e.safeStorage, platform)) };
}

describe('sign-in tokens in the desktop app', () => {
  it('where the OS has a key store: encrypted on disk (tokens.enc, 0600), never in plain text, read back by a new instance', async () => {
    const { dir, e, tokens } = store();
    await tokens.set('sso.github', '{"accessToken":"gho_secret_marker"}');
    expect(tokens.kind).toBe('keychain');
    expect(readdirSync(dir)).toEqual(['tokens.enc']);
    const file = path.join(dir, 'tokens.enc');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).not.toContain('gho_secret_marker');
    const again = new KeychainTokenStore(dir, safeStorageCipher(e.app, e.safeStorage, 'linux'));
    expect(await again.get('sso.github')).toBe('{"accessToken":"gho_secret_marker"}');
  });

  it('where it has none: the 0600 file, and the store says so', async () => {
    const { dir, tokens } = store((e) => (e.safeStorage.available = false));
    await tokens.set('sso.oidc', 'x');
    expect(tokens.kind).toBe('file');
    expect(readdirSync(dir)).toEqual(['tokens.json']);
    expect(JSON.parse(readFileSync(path.join(dir, 'tokens.json'), 'utf8'))).toEqual({ 'sso.oidc': 'x' });
  });

  it("on Linux without a keyring (Electron's fixed basic_text key): the file, which claims no more than it gives", async () => {
    const { tokens } = store((e) => (e.safeStorage.backend = 'basic_text'));
    await tokens.get('any');
    expect(tokens.kind).toBe('file');
    const mac = store((e) => (e.safeStorage.backend = 'unknown'), 'darwin').tokens;
    await mac.get('any');
    expect(mac.kind).toBe('keychain');
  });

  it('tokens encrypted with a key the OS no longer has read as signed out, and are replaced on the next sign-in', async () => {
    const { dir, tokens } = store();
    writeFileSync(path.join(dir, 'tokens.enc'), 'sealed with another key');
    expect(await tokens.get('sso.github')).toBeUndefined();
    await tokens.set('sso.github', 'new');
    expect(readFileSync(path.join(dir, 'tokens.enc'), 'utf8').startsWith(FakeSafeStorage.MARK)).toBe(true);
  });

  it('asks safeStorage only once the app is ready (before, it cannot tell)', async () => {
    const dir = tempDir('vega-keychain-');
    dirs.push(dir);
    const e = createFakeElectron(dir);
    const askedWhenReady: boolean[] = [];
    e.safeStorage.isAsyncEncryptionAvailable = () => Promise.resolve(askedWhenReady.push(e.app.ready) > 0);
    const tokens = new KeychainTokenStore(dir, safeStorageCipher(e.app, e.safeStorage, 'linux'));
    const read = tokens.get('x');
    e.app.makeReady();
    await read;
    expect(askedWhenReady).toEqual([true]);
    expect(tokens.kind).toBe('keychain');
  });

  it('the host backs sign-in with safeStorage, and every sign-in status says where tokens are kept', async () => {
    h = await startFakeHost();
    expect((await h.api.sso.status()).map((s) => s.tokenStorage)).toEqual(['keychain', 'keychain']);
    await h.dispose();
    h = await startFakeHost({ before: (e) => (e.safeStorage.available = false) });
    expect((await h.api.sso.status()).map((s) => s.tokenStorage)).toEqual(['file', 'file']);
  });
});
