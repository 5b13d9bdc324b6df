import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { checkEntry } from '../../src-shared/mcp.js';
import { readProc } from '../../src-main/mcp/proc.js';
import { reapLeftovers } from '../../src-main/mcp/running-file.js';
import { MAX_RESULT_CHARS, exposedName, resultText } from '../../src-main/mcp/tools.js';
import { until } from '../helpers/fault-kit.js';
import { killOwned, own, stillRunning, tempDir } from './harness.js';

afterEach(() => killOwned());

describe('tool names', () => {
  it('server__tool as it is when it fits; changed or cut names get a short hash, so two never meet', () => {
    expect(exposedName('files', 'read_file')).toBe('files__read_file');
    const odd = exposedName('github.com/acme/tools', 'search.issues');
    expect(odd).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(odd).not.toBe(exposedName('github.com/acme/tools', 'search/issues'));
    const long = exposedName('s', 'x'.repeat(100));
    expect(long).toHaveLength(64);
    expect(long).not.toBe(exposedName('s', `${'x'.repeat(99)}y`));
    // Two servers whose names share their first 24 characters.
    expect(exposedName(`${'a'.repeat(24)}-one`, 't')).not.toBe(exposedName(`${'a'.repeat(24)}-two`, 't'));
  });
});

describe('tool results', () => {
  it('text as it is, other parts named, structured content when nothing else came, cut with a note', () => {
    expect(
      resultText({
        content: [
          { type: 'text', text: 'a' },
          { type: 'image', data: 'AAAA', mimeType: 'image/png' },
          { type: 'resource_link', uri: 'file:///x', name: 'x' },
        ],
      }),
    ).toBe('a\n[image: image/png, 3 bytes]\n[resource link: file:///x (x)]');
    expect(resultText({ content: [], structuredContent: { sum: 3 } })).toBe('{"sum":3}');
    const cut = resultText({ content: [{ type: 'text', text: 'y'.repeat(MAX_RESULT_CHARS + 10) }] });
    expect(cut.startsWith('y'.repeat(MAX_RESULT_CHARS))).toBe(true);
    expect(cut).toMatch(/cut: the tool returned 16010 characters/);
  });
});

describe('mcp.json entries', () => {
  it.each([
    [{ command: 'npx', args: ['-y', 'x'], env: { A: 'b' }, cwd: '/tmp' }, true],
    [{ url: 'https://mcp.example.com/mcp', headers: { Authorization: 'Bearer x' } }, true],
    [{ type: 'streamable-http', url: 'http://127.0.0.1:1/mcp' }, true],
    [{ command: 'npx', env: { A: 1 } }, false],
    [{ command: 'npx', args: 'x' }, false],
    [{ url: 'file:///etc/passwd' }, false],
    [JSON.parse('{"command":"npx","env":{"__proto__":"x"}}') as unknown, false],
    ['npx', false],
  ])('%j → valid: %s', (raw, ok) => {
    expect(checkEntry(raw).ok).toBe(ok);
  });
});

describe('leftovers of a killed Vega', () => {
  const logger = pino({ level: 'silent' });

  it('a recorded pid that now names another process (another start time) is left alone', async () => {
    const t = tempDir('vega-mcp-reap-');
    try {
      const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore', detached: true });
      own(other.pid!);
      await until(() => readProc(other.pid!) !== null, 5_000, 'the process to start');
      const file = path.join(t.dir, 'running.json');
      writeFileSync(
        file,
        JSON.stringify({ servers: [{ server: 'x', pid: other.pid, startTime: 1, tree: [{ pid: process.pid, startTime: 2 }] }] }),
      );
      expect(await reapLeftovers(file, logger, 200)).toEqual([]);
      expect(stillRunning([readProc(other.pid!)!])).toHaveLength(1);
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ servers: [] });
    } finally {
      t.dispose();
    }
  });

  it('a recorded server still running (same pid and start time) is stopped, with the child it recorded', async () => {
    const t = tempDir('vega-mcp-reap-');
    try {
      // Deaf once it says so: a SIGTERM before its handler is in place would end it.
      const deaf = async () => {
        const p = spawn(process.execPath, ['-e', "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000); console.log('deaf')"], {
          stdio: ['ignore', 'pipe', 'ignore'],
          detached: true,
        });
        own(p.pid!);
        await new Promise((r) => p.stdout.once('data', r));
        return p;
      };
      const [leader, child] = await Promise.all([deaf(), deaf()]);
      const [l, c] = [readProc(leader.pid!)!, readProc(child.pid!)!];
      const file = path.join(t.dir, 'running.json');
      writeFileSync(
        file,
        JSON.stringify({
          servers: [{ server: 'deaf', pid: l.pid, startTime: l.startTime, tree: [{ pid: c.pid, startTime: c.startTime }] }],
        }),
      );
      const reaped = await reapLeftovers(file, logger, 200);
      expect(reaped.map((r) => [r.server, r.stop.outcome])).toEqual([['deaf', 'killed']]);
      expect(stillRunning([l, c])).toEqual([]);
    } finally {
      t.dispose();
    }
  });
});
