import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigCache } from '../../src-main/engine/config-cache.js';
import { findMalformedLine } from '../../src-main/engine/env-file.js';
import { tempEngine } from '../helpers/engine.js';
import { eventually } from '../helpers/servers.js';

let dir: string;
let file: string;
const caches: ConfigCache[] = [];

function cache(opts: Partial<ConstructorParameters<typeof ConfigCache>[0]> = {}): ConfigCache {
  const c = new ConfigCache({ file, env: {}, ...opts });
  caches.push(c);
  return c;
}

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'vega-config-'));
  file = path.join(dir, '.env');
  writeFileSync(file, '# settings\nVEGA_MODEL=mistral\nVEGA_PORT=8123\nOLLAMA_HOST=localhost:11434\n');
});

afterEach(() => {
  for (const c of caches.splice(0)) c.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('ConfigCache', () => {
  it('1000 reads within the TTL cost one load, hit rate above 99%', async () => {
    const c = cache();
    for (let i = 0; i < 1000; i++) expect((await c.get()).string('VEGA_MODEL')).toBe('mistral');
    const s = c.stats();
    expect(s.loads).toBe(1);
    expect(s.misses).toBe(1);
    expect(s.hits).toBe(999);
    expect(s.hitRate).toBeGreaterThan(99);
    expect(s.cached).toBe(true);
  });

  it('expires after the TTL and reloads the file', async () => {
    const c = cache({ ttlMs: 30 });
    await c.get();
    writeFileSync(file, 'VEGA_MODEL=phi3\n');
    await new Promise((r) => setTimeout(r, 60));
    expect((await c.get()).string('VEGA_MODEL')).toBe('phi3');
    expect(c.stats().loads).toBe(2);
  });

  it('invalidate() makes the next read a miss that reads the file again', async () => {
    const c = cache();
    await c.get();
    await c.get();
    writeFileSync(file, 'VEGA_MODEL=qwen\n');
    c.invalidate();
    expect(c.stats().cached).toBe(false);
    expect((await c.get()).string('VEGA_MODEL')).toBe('qwen');
    expect(c.stats()).toMatchObject({ hits: 1, misses: 2, loads: 2 });
  });

  it('forceReload reads the file even within the TTL', async () => {
    const c = cache();
    await c.get();
    writeFileSync(file, 'VEGA_MODEL=gemma\n');
    expect((await c.get(true)).string('VEGA_MODEL')).toBe('gemma');
  });

  it('concurrent readers during a reload share one load', async () => {
    const c = cache();
    const all = await Promise.all(Array.from({ length: 50 }, () => c.get()));
    expect(new Set(all).size).toBe(1);
    expect(c.stats().loads).toBe(1);
    c.invalidate();
    await Promise.all(Array.from({ length: 50 }, () => c.get()));
    expect(c.stats().loads).toBe(2);
  });

  it('a malformed file after a good load serves the stale copy, records the error, and recovers', async () => {
    const c = cache({ retryMs: 10 });
    await c.get();
    writeFileSync(file, 'VEGA_MODEL=broken\nthis line is not an assignment\n');
    const stale = await c.get(true);
    expect(stale.string('VEGA_MODEL')).toBe('mistral');
    expect(c.degraded).toBe(true);
    expect(c.stats().lastError).toMatch(/line 2 is not KEY=value/);
    writeFileSync(file, 'VEGA_MODEL=fixed\n');
    await new Promise((r) => setTimeout(r, 30));
    expect((await c.get()).string('VEGA_MODEL')).toBe('fixed');
    expect(c.degraded).toBe(false);
  });

  it('a deleted file after a good load serves the stale copy and is degraded', async () => {
    const c = cache();
    await c.get();
    rmSync(file);
    expect((await c.get(true)).string('VEGA_MODEL')).toBe('mistral');
    expect(c.degraded).toBe(true);
  });

  it('an unreadable file with no copy yet serves defaults and is degraded', async () => {
    // A folder where the file should be: unreadable even for root, who ignores chmod.
    rmSync(file);
    mkdirSync(file);
    const c = cache();
    expect((await c.get()).string('VEGA_MODEL')).toBe('llama3.2');
    expect(c.degraded).toBe(true);
  });

  it('a broken file with no copy yet serves defaults plus the environment, degraded', async () => {
    writeFileSync(file, '=nokey\n');
    const c = cache({ env: { VEGA_MODEL: 'from-env' } });
    const cfg = await c.get();
    expect(cfg.string('VEGA_MODEL')).toBe('from-env');
    expect(cfg.int('VEGA_PORT')).toBe(8000);
    expect(c.degraded).toBe(true);
  });

  it('no file at all on a fresh install is defaults, not a fault', async () => {
    rmSync(file);
    const c = cache();
    expect((await c.get()).string('OLLAMA_HOST')).toBe('http://127.0.0.1:11434');
    expect(c.degraded).toBe(false);
  });

  it('the process environment wins over the file', async () => {
    const c = cache({ env: { VEGA_MODEL: 'env-model', UNRELATED: 'x' } });
    const cfg = await c.get();
    expect(cfg.string('VEGA_MODEL')).toBe('env-model');
    expect(cfg.source('VEGA_MODEL')).toBe('env');
    expect(cfg.values.UNRELATED).toBeUndefined();
  });

  it('notices an atomic save (rename over the file) through the folder watch', async () => {
    const c = cache({ watch: true });
    await c.get();
    const tmp = path.join(dir, '.env.tmp');
    writeFileSync(tmp, 'VEGA_MODEL=renamed\n');
    (await import('node:fs')).renameSync(tmp, file);
    await eventually(() => c.peek() !== undefined, 1000);
    let model = '';
    const end = Date.now() + 3000;
    while (model !== 'renamed' && Date.now() < end) {
      model = (await c.get()).string('VEGA_MODEL');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(model).toBe('renamed');
  });
});

describe('typed accessors', () => {
  it('parse values and name the key and file when one is bad', async () => {
    writeFileSync(
      file,
      'VEGA_PORT=abc\nOPENAI_BASE_URL=localhost:1234\nVEGA_HTTP2=maybe\nOPENAI_API_KEY=sk-supersecret\nVEGA_HTTP_MAX_CONNECTIONS=0\n',
    );
    const cfg = await cache().get();
    expect(() => cfg.int('VEGA_PORT')).toThrow(`VEGA_PORT="abc" in ${file} is not an integer`);
    expect(() => cfg.url('OPENAI_BASE_URL')).toThrow(/OPENAI_BASE_URL="localhost:1234" .* a URL with a scheme/);
    expect(() => cfg.bool('VEGA_HTTP2')).toThrow(/true or false/);
    expect(() => cfg.int('VEGA_HTTP_MAX_CONNECTIONS')).toThrow(/from 1 to 10000/);
    expect(cfg.url('OLLAMA_HOST', { defaultScheme: 'http' })?.origin).toBe('http://127.0.0.1:11434');
  });

  it('never prints a secret value in an error', async () => {
    writeFileSync(file, 'OPENAI_API_KEY=sk-supersecret\n');
    const cfg = await cache().get();
    expect(() => cfg.int('OPENAI_API_KEY')).toThrow(/OPENAI_API_KEY=\(hidden\)/);
  });

  it('host:port without a scheme is accepted where the key allows it', async () => {
    const cfg = await cache().get();
    expect(cfg.url('OLLAMA_HOST', { defaultScheme: 'http' })?.href).toBe('http://localhost:11434/');
  });
});

describe('findMalformedLine', () => {
  it('accepts comments, export, quotes and multi-line values', () => {
    expect(findMalformedLine('# c\n\nexport A=1\nB="x y" # c\nC="line1\nline2"\nD=\n')).toBeUndefined();
  });
  it('finds the first bad line and an unclosed quote', () => {
    expect(findMalformedLine('A=1\nB\n')).toBe(2);
    expect(findMalformedLine('A="open\nB=2\n')).toBe(3);
  });
});

describe('the engine with a bad config', () => {
  it('reports health degraded when the .env is broken', async () => {
    const e = await tempEngine({ envText: 'VEGA_MODEL=ok\n' });
    try {
      writeFileSync(e.envFile, 'garbage\n');
      await e.rm.config.get(true);
      expect(e.rm.health()).toMatchObject({ status: 'degraded', checks: { configCache: false, httpClient: true, healthy: false } });
    } finally {
      await e.dispose();
    }
  });
});
