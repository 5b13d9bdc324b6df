import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// The house-rules test forbids fetch/Agent/http.request outside the engine.
// This one is narrower and stricter for the integrations: their only way out
// is undici's `request` in http.ts, always on the engine's dispatcher. The
// pool test proves the same at run time (the engine counted every request
// the stand-ins saw).
const root = path.resolve(__dirname, '../../src-main/integrations');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : /\.ts$/.test(name) ? [p] : [];
  });
}

const files = sources(root).map((f) => ({ file: path.relative(root, f), code: readFileSync(f, 'utf8').replace(/\/\/.*$/gm, '').replace(/\/\*[\s\S]*?\*\//g, '') }));

describe('integrations reach the network only through the engine', () => {
  it('scans the integration sources', () => {
    expect(files.map((f) => f.file)).toEqual(expect.arrayContaining(['http.ts', 'web-fetch.ts', 'github.ts', 'slack.ts', 'sso/device-flow.ts']));
  });

  it('only http.ts imports a value from undici, and only `request`', () => {
    for (const { file, code } of files) {
      const imports = [...code.matchAll(/import\s+(type\s+)?\{([^}]*)\}\s+from\s+['"]undici['"]/g)];
      const values = imports.filter((m) => !m[1]).flatMap((m) => m[2]!.split(',').map((s) => s.trim()).filter((s) => s && !s.startsWith('type ')));
      if (file === 'http.ts') expect(values, file).toEqual(['request']);
      else expect(values, file).toEqual([]);
      expect(code, file).not.toMatch(/require\(['"]undici['"]\)|import\(['"]undici['"]\)|from ['"]undici\//);
    }
  });

  it('every request goes on rm.httpClient()', () => {
    const http = files.find((f) => f.file === 'http.ts')!.code;
    const calls = [...http.matchAll(/\brequest\(/g)];
    expect(calls).toHaveLength(1);
    // The one call's options (up to the statement's end) name the engine's client.
    const call = http.slice(calls[0]!.index, http.indexOf('\n    );', calls[0]!.index));
    expect(call).toMatch(/dispatcher: rm\.httpClient\(\)/);
  });

  it('no sockets, connectors or dispatchers of their own', () => {
    const forbidden = /\bnew (Agent|Pool|Client|Dispatcher)\b|buildConnector|setGlobalDispatcher|\b(net|tls)\.(connect|createConnection)\b|from ['"]node:(http|https|http2|tls|dgram)['"]|\bfetch\(/;
    for (const { file, code } of files) {
      // Type-only imports (IncomingHttpHeaders) carry no behaviour.
      const values = code.replace(/import type [^;]+;/g, '');
      expect(values, file).not.toMatch(forbidden);
    }
  });
});
