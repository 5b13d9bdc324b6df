import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './harness.js';

/**
 * Electronegativity (Doyensec's auditor for Electron apps) over the main
 * process glue, the way `npx electronegativity -i src-main/electron -x
 * AvailableSecurityFixesGlobalCheck` runs it, but offline: at start it
 * fetches translations from the URL in its own package.json, which the
 * child below points at a server on 127.0.0.1 (serving the package's own
 * English strings). The excluded check compares the Electron version with a
 * list of releases, which needs no code review and goes stale.
 */

const root = path.resolve(__dirname, '../..');
const ELECTRON_DIR = path.join(root, 'src-main', 'electron');
const electronVersion = (
  JSON.parse(readFileSync(path.join(root, 'node_modules', 'electron', 'package.json'), 'utf8')) as { version: string }
).version;

interface Finding {
  readonly id: string;
  readonly severity: 'HIGH' | 'MEDIUM' | 'LOW' | 'INFORMATIONAL';
  readonly file: string;
  readonly line: number;
  readonly sample: string;
}

// Runs in the child: the auditor's own programmatic entry, with the CLI's options.
const RUNNER = `
const pkg = require.resolve('@doyensec/electronegativity/package.json', { paths: [process.env.ROOT] });
require(pkg).i18nSource = process.env.I18N_SOURCE;
const run = require(require('node:path').join(pkg, '..'));
run({
  input: process.env.INPUT,
  excludeFromScan: ['AvailableSecurityFixesGlobalCheck'],
  electronVersionOverride: process.env.ELECTRON_VERSION,
  isRelative: true,
}).then((r) => {
  const issues = r.issues.map((i) => ({ id: i.id, severity: i.severity.name, file: i.file, line: i.location.line, sample: i.sample }));
  process.stdout.write(JSON.stringify({ issues, errors: r.errors }));
});
`;

let dir: string;
let findings: Finding[];
let parseErrors: unknown[];
let translationRequests: string[];

beforeAll(async () => {
  dir = tempDir('vega-electronegativity-');
  const runner = path.join(dir, 'run.cjs');
  writeFileSync(runner, RUNNER);
  translationRequests = [];
  const english = readFileSync(path.join(root, 'node_modules', '@doyensec', 'electronegativity', 'dist', 'locales', 'en-US.json'));
  const server = http.createServer((req, res) => {
    translationRequests.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'application/json' }).end(english);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const child = spawn(process.execPath, [runner], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        ROOT: root,
        INPUT: ELECTRON_DIR,
        ELECTRON_VERSION: electronVersion,
        I18N_SOURCE: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        LANG: 'en-US',
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    if (code !== 0) throw new Error(`electronegativity exited ${code}: ${stderr}`);
    ({ issues: findings, errors: parseErrors } = JSON.parse(stdout) as { issues: Finding[]; errors: unknown[] });
  } finally {
    server.close();
  }
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Electronegativity on src-main/electron', () => {
  it('ran offline: its one lookup went to 127.0.0.1, and it read every file', () => {
    expect(translationRequests.length).toBeGreaterThan(0);
    expect(new Set(translationRequests)).toEqual(new Set(['/en-US.json']));
    expect(parseErrors).toEqual([]);
  });

  it('finds nothing high or medium', () => {
    const serious = findings.filter((f) => f.severity === 'HIGH' || f.severity === 'MEDIUM');
    expect(serious, JSON.stringify(serious, null, 1)).toEqual([]);
  });

  it('sees the CSP where it is set, and grades it (its one note: the inline styles the policy allows)', () => {
    expect(findings.map((f) => `${f.id} ${f.severity} ${f.file}`)).toEqual(['CSP_GLOBAL_CHECK LOW protocol.ts']);
  });

  it('is told to look away only where a review is on record: the preload, and the one openExternal right under its http(s) check', () => {
    const annotations = readdirSync(ELECTRON_DIR).flatMap((f) =>
      readFileSync(path.join(ELECTRON_DIR, f), 'utf8')
        .split('\n')
        .map((line, i, lines) => ({ at: `${f}: ${line.trim()}`, before: lines[i - 1]?.trim() ?? '' }))
        .filter(({ at }) => at.includes('eng-disable')),
    );
    expect(annotations.map((a) => a.at).sort()).toEqual([
      'guards.ts: const opening = shell.openExternal(url); // eng-disable OPEN_EXTERNAL_JS_CHECK',
      'window.ts: preload: preloadPath, // eng-disable PRELOAD_JS_CHECK',
    ]);
    expect(annotations.find((a) => a.at.startsWith('guards.ts'))?.before).toBe('if (!isExternalWebUrl(url)) return false;');
  });
});
