import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createVegaApp } from '../../src-main/app/create-app.js';
import { createQuit } from '../../src-main/app/quit.js';
import { logFiles } from '../../src-main/engine/logger.js';
import { startWebHost } from '../../src-main/web/host.js';
import { expectDiskEditSeen } from '../contract/disk-edit.js';
import { connectApi } from '../helpers/ws-client.js';

const KEY = 'quit-test-key-4411';
const dirs: string[] = [];
afterEach(() => {
  vi.useRealTimers();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The web host as `npm run serve` wires it, but with a fake signal source and exit. */
async function webApp() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vega-quit-'));
  dirs.push(dir);
  const envFile = path.join(dir, '.env');
  writeFileSync(envFile, `VEGA_API_KEY=${KEY}\n`);
  const signals = new EventEmitter();
  const exits: number[] = [];
  const app = await createVegaApp({
    host: 'web',
    envFile,
    env: { VEGA_DATA_DIR: path.join(dir, 'data') },
    signals,
    exit: (code) => exits.push(code),
  });
  const host = await startWebHost({ app, port: 0, host: '127.0.0.1' });
  return { app, host, signals, exits, envFile };
}

const silent = pino({ level: 'silent' });

describe('quitting the web host', () => {
  it('SIGTERM runs the one bounded shutdown: the server and its sockets close, the engine stops, exit 0; SIGINT joins it', async () => {
    const { app, host, signals, exits } = await webApp();
    app.rm.registerCleanup('hangs', () => new Promise(() => undefined), { phase: 'llm', timeoutMs: 100 });
    const shutdown = vi.spyOn(app.rm, 'shutdown');
    const client = await connectApi(host.url, KEY);
    const closed = new Promise<number>((resolve) => client.ws.once('close', (code) => resolve(code)));

    signals.emit('SIGTERM');
    signals.emit('SIGINT');
    await app.quit('joined by the test');
    expect(shutdown).toHaveBeenCalledTimes(1);
    expect(exits).toEqual([0]);
    expect(await closed).toBe(1001);
    expect(app.rm.closed).toBe(true);
    const refused = await new Promise<string>((resolve) =>
      net
        .connect(host.port, '127.0.0.1')
        .once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? ''))
        .once('connect', () => resolve('connected')),
    );
    expect(refused).toBe('ECONNREFUSED');

    const msgs = logFiles(app.rm.logDir)
      .flatMap((f) => readFileSync(f, 'utf8').trim().split('\n'))
      .map((l) => (JSON.parse(l) as { msg: string }).msg);
    const order = [
      'SIGTERM received',
      'Quitting: running cleanup',
      'SIGINT received',
      'Starting graceful shutdown...',
      '✗ LLM shutdown failed: hangs: timed out after 100 ms',
      '✓ Resource manager shut down',
      '✓ Background processes stopped',
      'Shutdown complete',
    ];
    const at = order.map((m) => msgs.indexOf(m));
    expect(
      at.every((i) => i >= 0),
      msgs.join('\n'),
    ).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(msgs.filter((m) => m === 'Quitting: running cleanup')).toHaveLength(1);
  });

  it('the web host is a step of the background phase, after the pool', async () => {
    const { app } = await webApp();
    const report = await app.rm.shutdown();
    // Other background steps (MCP servers) may sit between these; the order of these three is the point.
    const steps = ['http-pool', 'dashboard-ticker', 'web-host'];
    expect(report.map((r) => [r.step, r.phase, r.ok]).filter(([step]) => steps.includes(step as string))).toEqual([
      ['http-pool', 'resources', true],
      ['dashboard-ticker', 'background', true],
      ['web-host', 'background', true],
    ]);
    expect(report.every((r) => r.ok)).toBe(true);
  });

  it('app:restart answers that the command must be restarted, and nothing quits', async () => {
    const { app, host, exits } = await webApp();
    const client = await connectApi(host.url, KEY);
    const answer = await client.api.app.restart();
    expect(answer.restarting).toBe(false);
    expect(answer.message).toContain('npm run serve');
    expect((await client.api.resources.health()).status).toBe('healthy');
    await client.close();
    await app.quit('test');
    expect(exits).toEqual([0]);
  });

  it('an edit of the .env file on disk is picked up at once', async () => {
    const { app, host, envFile } = await webApp();
    const client = await connectApi(host.url, KEY);
    await expectDiskEditSeen(client.api, envFile, `VEGA_API_KEY=${KEY}\nVEGA_MODEL=edited-on-disk\n`, 'VEGA_MODEL', 'edited-on-disk');
    await client.close();
    await app.quit('test');
  });
});

describe('the quit itself', () => {
  it('exits 0 at its own bound when the whole shutdown never settles', async () => {
    vi.useFakeTimers();
    const exits: number[] = [];
    const never = () => new Promise<never>(() => undefined);
    const quit = createQuit({ shutdown: never, logger: silent, exit: (code) => exits.push(code), boundMs: 20_000 });
    const done = quit('test');
    await vi.advanceTimersByTimeAsync(19_999);
    expect(exits).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await done;
    expect(exits).toEqual([0]);
  });

  it('exits 0 when the shutdown throws, and only once however often it is asked', async () => {
    const exits: number[] = [];
    const shutdown = vi.fn(() => Promise.reject(new Error('boom')));
    const quit = createQuit({ shutdown, logger: silent, exit: (code) => exits.push(code) });
    await Promise.all([quit('a'), quit('b')]);
    await quit('c');
    expect(shutdown).toHaveBeenCalledTimes(1);
    expect(exits).toEqual([0]);
  });
});
