import { readFileSync, statSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { exportDiagnostics, readLogs } from '../../src-main/app/diagnostics.js';
import { tempEngine, type TempEngine } from '../helpers/engine.js';
import { startCountingServer, type CountingServer } from '../helpers/servers.js';

let e: TempEngine | undefined;
let s: CountingServer | undefined;
afterEach(async () => {
  await e?.dispose();
  await s?.close();
});

describe('logs and diagnostics', () => {
  it('reads the newest lines first, filtered by level and request id', async () => {
    e = await tempEngine();
    e.rm.logger.info({ requestId: 'r-1' }, 'first');
    e.rm.logger.warn({ requestId: 'r-2' }, 'second');
    e.rm.logger.error({ requestId: 'r-1' }, 'third');
    expect((await readLogs(e.rm, { requestId: 'r-1' })).map((l) => l.msg)).toEqual(['third', 'first']);
    expect((await readLogs(e.rm, { level: 'warn' })).map((l) => l.msg).slice(0, 2)).toEqual(['third', 'second']);
    expect(await readLogs(e.rm, { limit: 1 })).toHaveLength(1);
  });

  it('exports one JSON file with stats, health, recent requests and logs, without secrets', async () => {
    const secret = 'hass-token-marker-93c1';
    e = await tempEngine({ envText: `HOME_ASSISTANT_TOKEN=${secret}\n` });
    s = await startCountingServer();
    const res = await request(`${s.url}/x`, {
      dispatcher: e.rm.httpClient(),
      headers: { 'x-request-id': 'diag-1', authorization: `Bearer ${secret}` },
    });
    await res.body.text();
    e.rm.logger.info(`calling with Bearer ${secret}`);
    const file = await exportDiagnostics(e.rm);
    const text = readFileSync(file, 'utf8');
    const report = JSON.parse(text);
    expect(report.health.status).toBe('healthy');
    expect(report.snapshot.manager.httpClientsCreated).toBe(1);
    expect(report.recentRequests[0].requestId).toBe('diag-1');
    expect(report.logs.length).toBeGreaterThan(0);
    expect(text).not.toContain(secret);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
