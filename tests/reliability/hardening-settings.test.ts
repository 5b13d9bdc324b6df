import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import dotenv from 'dotenv';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVegaApp, type VegaApp } from '../../src-main/app/create-app.js';
import { dispatchCall } from '../../src-main/app/router.js';
import { ResourceManager } from '../../src-main/engine/resource-manager.js';
import type { ConfigEntry, ConfigSetResult } from '../../src-shared/contract.js';
import { HEAVY } from '../helpers/fault-kit.js';

// Issue 15, items 5 (config:set and the .env writer) and 10 (URL settings
// with credentials in config:get). Through the contract's one door, on a
// real .env file, read back with dotenv itself.

const PASSWORD = 'hunter2-VGMARK-url-pass';
let dir = '';
let envFile = '';
let app: VegaApp;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'vega-hardening-settings-'));
  envFile = path.join(dir, '.env');
  writeFileSync(envFile, `# settings\nVEGA_MODEL=llama3.2\nOLLAMA_HOST=http://admin:${PASSWORD}@127.0.0.1:9\n`);
  // VEGA_LOG_LEVEL comes from the environment, which wins over the file.
  app = await createVegaApp({ host: 'web', envFile, env: { VEGA_DATA_DIR: path.join(dir, 'data'), VEGA_LOG_LEVEL: 'warn' } });
}, 30_000);

afterAll(async () => {
  await app?.rm.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

async function set(values: Record<string, string>): Promise<ConfigSetResult> {
  const env = await dispatchCall(app.handlers, 'config:set', { values }, { host: 'web' });
  if (!env.ok) throw new Error(`${env.error.code}: ${env.error.message}`);
  return env.value as ConfigSetResult;
}

const onDisk = (): Record<string, string> => dotenv.parse(readFileSync(envFile, 'utf8'));

describe('5. config:set and the .env writer', () => {
  it('every line terminator and control character is refused, and nothing is written', async () => {
    const before = readFileSync(envFile, 'utf8');
    for (const bad of ['a\u2028b', 'a\u2029b', 'a\nb', 'a\rb', 'a\u0085b', 'a\u0000b', 'a\u001bb', 'a\u007fb', 'tab\there']) {
      const r = await set({ VEGA_MODEL: bad });
      expect(r.saved, JSON.stringify(bad)).toBe(false);
      expect(r.errors.VEGA_MODEL, JSON.stringify(bad)).toBeTruthy();
    }
    expect(readFileSync(envFile, 'utf8')).toBe(before);
  });

  it('values that dotenv used to read back changed now round-trip exactly', async () => {
    for (const v of [
      'abc\\',
      'a"b',
      'a\\nb',
      "it's",
      'back`tick',
      "it's `ticked`",
      '  spaced  ',
      '#not-a-comment',
      'x # y',
      'a=b',
      '\\\\',
      '"quoted"',
      "'single'",
      'ünïcødé ✓ 𝄞',
    ]) {
      const r = await set({ VEGA_MODEL: v });
      expect(r, JSON.stringify(v)).toEqual({ saved: true, errors: {} });
      expect(onDisk().VEGA_MODEL, JSON.stringify(v)).toBe(v);
      expect((await app.rm.config.get()).values.VEGA_MODEL, JSON.stringify(v)).toBe(v);
    }
  });

  it('property: any string is either refused or read back by dotenv exactly as saved', async () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.string({ unit: 'grapheme', maxLength: 40 }),
      fc.stringMatching(/^[\\"'`#= \n\rtn$]{0,12}$/),
    );
    await fc.assert(
      fc.asyncProperty(text, async (v) => {
        const before = readFileSync(envFile, 'utf8');
        const r = await set({ VEGA_MODEL: v });
        if (!r.saved) {
          expect(r.errors.VEGA_MODEL).toBeTruthy();
          expect(readFileSync(envFile, 'utf8')).toBe(before);
          return;
        }
        const cfg = await app.rm.config.get();
        if (v === '') {
          expect(onDisk().VEGA_MODEL).toBeUndefined();
          expect(cfg.source('VEGA_MODEL')).toBe('default');
        } else {
          expect(onDisk().VEGA_MODEL).toBe(v);
          expect(cfg.values.VEGA_MODEL).toBe(v);
        }
      }),
      { numRuns: HEAVY ? 400 : 120, seed: 15 },
    );
  });

  it('a save never answers saved: true when it does not take effect', async () => {
    // The environment wins over the file: saving such a key would change nothing.
    const shadowed = await set({ VEGA_LOG_LEVEL: 'debug' });
    expect(shadowed.saved).toBe(false);
    expect(shadowed.errors.VEGA_LOG_LEVEL).toMatch(/environment/);
    expect(onDisk().VEGA_LOG_LEVEL).toBeUndefined();

    // A file someone broke by hand: nothing is saved until the line is fixed, and the answer says which line.
    const good = readFileSync(envFile, 'utf8');
    writeFileSync(envFile, `${good}this line is broken\n`);
    app.rm.config.invalidate();
    const blocked = await set({ VEGA_MODEL: 'qwen2.5' });
    expect(blocked.saved).toBe(false);
    expect(blocked.errors.VEGA_MODEL).toMatch(/line \d+/);
    expect(readFileSync(envFile, 'utf8')).toBe(`${good}this line is broken\n`);
    writeFileSync(envFile, good);
    app.rm.config.invalidate();
    expect(await set({ VEGA_MODEL: 'qwen2.5' })).toEqual({ saved: true, errors: {} });
  });

  it('after refused saves and accepted ones, a restart reads every setting (no "line N is not KEY=value")', async () => {
    expect((await set({ OIDC_CLIENT_ID: 'before\u2028after' })).saved).toBe(false);
    expect(await set({ VEGA_MODEL: 'mistral', SEARXNG_URL: 'http://127.0.0.1:9/search' })).toEqual({ saved: true, errors: {} });
    const again = await ResourceManager.create({ envFile, env: { VEGA_DATA_DIR: path.join(dir, 'data2') } });
    try {
      expect(again.config.lastError).toBeNull();
      const cfg = await again.config.get();
      expect(cfg.values.VEGA_MODEL).toBe('mistral');
      expect(cfg.values.SEARXNG_URL).toBe('http://127.0.0.1:9/search');
      expect(cfg.values.OLLAMA_HOST).toBe(`http://admin:${PASSWORD}@127.0.0.1:9`);
    } finally {
      await again.shutdown();
    }
  });

  it('a prototype key is reported as an error of its own, never written, and Object.prototype is untouched', async () => {
    const values = JSON.parse('{"__proto__":"x","VEGA_MODEL":"m"}') as Record<string, string>;
    const r = await app.handlers['config:set']({ values }, { host: 'web', requestId: 'proto-test' });
    expect(r.saved).toBe(false);
    expect(Object.keys(r.errors)).toContain('__proto__');
    expect(Object.getPrototypeOf(r.errors)).toBe(Object.prototype);
    expect(readFileSync(envFile, 'utf8')).not.toContain('__proto__');
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

describe('10. URL settings with credentials in them', () => {
  it('config:get masks them like secrets, and the password is scrubbed from logs and answers', async () => {
    const env = await dispatchCall(app.handlers, 'config:get', {}, { host: 'web' });
    expect(env.ok).toBe(true);
    const entries = (env as { value: ConfigEntry[] }).value;
    expect(JSON.stringify(entries)).not.toContain(PASSWORD);
    expect(entries.find((e) => e.key === 'OLLAMA_HOST')).toMatchObject({ value: '', set: true, secret: true });
    expect(entries.find((e) => e.key === 'VEGA_MODEL')).toMatchObject({ secret: false });
    expect(app.rm.redact(`Ollama is not reachable at http://admin:${PASSWORD}@127.0.0.1:9`)).not.toContain(PASSWORD);
  });
});
