import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');

function files(dir: string): string[] {
  const abs = path.join(root, dir);
  const out: string[] = [];
  for (const name of readdirSync(abs)) {
    const p = path.join(abs, name);
    if (statSync(p).isDirectory()) out.push(...files(path.join(dir, name)));
    else if (/\.(ts|tsx|mts|cts|js|mjs)$/.test(name)) out.push(path.join(dir, name));
  }
  return out;
}

/** Lines matching `re` in source files (comments stripped), outside the allowed folders. */
function offenders(re: RegExp, allowed: (file: string) => boolean): string[] {
  const hits: string[] = [];
  for (const f of ['src-main', 'src-renderer', 'src-shared'].flatMap(files)) {
    if (allowed(f)) continue;
    const lines = readFileSync(path.join(root, f), 'utf8').split('\n');
    lines.forEach((line, i) => {
      const code = line.replace(/\/\/.*$/, '').replace(/^\s*\*.*$/, '');
      if (re.test(code)) hits.push(`${f}:${i + 1}: ${line.trim()}`);
    });
  }
  return hits;
}

describe('house rules', () => {
  it('one dispatcher per process: no outbound HTTP outside src-main/engine', () => {
    const re = /(^|[^.\w])fetch\(|new (Agent|Pool|Client|BalancedPool|ProxyAgent)\(|https?\.(request|get)\(|setGlobalDispatcher\(|new XMLHttpRequest|new EventSource\(/;
    expect(offenders(re, (f) => f.startsWith('src-main/engine/'))).toEqual([]);
  });

  it("only src-main/electron imports 'electron'", () => {
    const re = /from ['"]electron['"]|require\(['"]electron['"]\)|import\(['"]electron['"]\)/;
    expect(offenders(re, (f) => f.startsWith('src-main/electron/'))).toEqual([]);
  });

  it('settings are read through the ConfigCache, not process.env', () => {
    // The engine reads the environment (it overlays the .env); the two entry
    // points read process facts (display, browser) that are not settings.
    const allowed = (f: string) => f.startsWith('src-main/engine/') || f === 'src-main/web/serve.ts' || f.startsWith('src-main/electron/');
    expect(offenders(/process\.env/, allowed)).toEqual([]);
  });

  it('the renderer and the contract never import Node or main-process code', () => {
    const re = /from ['"](node:|fs['"]|path['"]|child_process|undici|pino|\.\.\/(\.\.\/)?src-main)/;
    expect(offenders(re, (f) => !f.startsWith('src-renderer/') && !f.startsWith('src-shared/'))).toEqual([]);
  });

  it('the scanner itself catches a violation', () => {
    expect(/(^|[^.\w])fetch\(/.test('const r = await fetch(url)')).toBe(true);
    expect(/(^|[^.\w])fetch\(/.test('this.prefetch(x)')).toBe(false);
  });
});
