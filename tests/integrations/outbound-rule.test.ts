import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// The house-rules test forbids fetch/Agent/http.request outside the engine.
// This one is narrower and stricter for the integrations: their only way out
// is the engine's outbound module, through http.ts, always on the engine's
// dispatcher. The pool test proves the same at run time (the engine counted
// every request the stand-ins saw).
const root = path.resolve(__dirname, '../../src-main/integrations');
const outboundDir = path.resolve(__dirname, '../../src-main/engine/outbound');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : /\.ts$/.test(name) ? [p] : [];
  });
}

const uncommented = (f: string): string =>
  readFileSync(f, 'utf8')
    .replace(/\/\/.*$/gm, '')
    .replace(/\/\*[\s\S]*?\*\//g, '');
const files = sources(root).map((f) => ({ file: path.relative(root, f), code: uncommented(f) }));
const outbound = sources(outboundDir).map((f) => ({ file: path.relative(outboundDir, f), code: uncommented(f) }));

/** The names a file imports as values (not types) from `from`. */
function valueImports(code: string, from: RegExp): string[] {
  const imports = [...code.matchAll(/import\s+(type\s+)?\{([^}]*)\}\s+from\s+['"]([^'"]+)['"]/g)].filter((m) => from.test(m[3]!));
  return imports
    .filter((m) => !m[1])
    .flatMap((m) =>
      m[2]!
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s && !s.startsWith('type ')),
    );
}

describe('integrations reach the network only through the engine', () => {
  it('scans the integration sources and the outbound module', () => {
    expect(files.map((f) => f.file)).toEqual(
      expect.arrayContaining(['http.ts', 'web-fetch.ts', 'github.ts', 'slack.ts', 'sso/device-flow.ts']),
    );
    expect(outbound.map((f) => f.file)).toEqual(expect.arrayContaining(['request.ts', 'errors.ts']));
  });

  // request.ts holds the one `request`; fetch.ts the one `fetch` for libraries that bring their own client (the MCP SDK).
  const undiciDoors: Record<string, string> = { 'request.ts': 'request', 'fetch.ts': 'fetch as undiciFetch' };

  it('no integration imports a value from undici; in the outbound module only request.ts and fetch.ts do, one door each', () => {
    for (const { file, code } of [...files, ...outbound.filter((f) => !(f.file in undiciDoors))]) {
      expect(valueImports(code, /^undici$/), file).toEqual([]);
      expect(code, file).not.toMatch(/require\(['"]undici['"]\)|import\(['"]undici['"]\)|from ['"]undici\//);
    }
    for (const [file, door] of Object.entries(undiciDoors))
      expect(valueImports(outbound.find((f) => f.file === file)!.code, /^undici$/), file).toEqual([door]);
  });

  it("the bound fetch always carries the engine's dispatcher", () => {
    const code = outbound.find((f) => f.file === 'fetch.ts')!.code;
    expect([...code.matchAll(/\bundiciFetch\(/g)]).toHaveLength(1);
    expect(code).toMatch(/dispatcher: timeouts \? base\.compose\(timeouts\) : base/);
  });

  it("the outbound module's one request goes on the dispatcher it is handed", () => {
    const code = outbound.find((f) => f.file === 'request.ts')!.code;
    const calls = [...code.matchAll(/\brequest\(/g)];
    expect(calls).toHaveLength(1);
    const call = code.slice(calls[0]!.index, code.indexOf('\n    );', calls[0]!.index));
    expect(call).toMatch(/\n\s+dispatcher,\n/);
  });

  it('every request of the integrations goes on rm.httpClient(), through http.ts', () => {
    for (const { file, code } of files) {
      const used = valueImports(code, /engine\/outbound/);
      if (file !== 'http.ts')
        expect(
          used.filter((n) => n === 'open' || n === 'send'),
          file,
        ).toEqual([]);
    }
    const http = files.find((f) => f.file === 'http.ts')!.code;
    const calls = [...http.matchAll(/\boutbound\.(open|send)\(([^,]*),/g)];
    expect(calls.map((m) => m[1])).toEqual(['open', 'send']);
    for (const m of calls) expect(m[2]).toBe('rm.httpClient()');
  });

  it('no sockets, connectors or dispatchers of their own', () => {
    const forbidden =
      /\bnew (Agent|Pool|Client|Dispatcher)\b|buildConnector|setGlobalDispatcher|\b(net|tls)\.(connect|createConnection)\b|from ['"]node:(http|https|http2|tls|dgram)['"]|\bfetch\(/;
    for (const { file, code } of files) {
      // Type-only imports (IncomingHttpHeaders) carry no behaviour.
      const values = code.replace(/import type [^;]+;/g, '');
      expect(values, file).not.toMatch(forbidden);
    }
  });
});
