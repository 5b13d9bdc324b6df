import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, LOG_FILES_KEPT, logFiles } from '../../src-main/engine/logger.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('logs', () => {
  it('rotate by size and keep five files', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vega-log-'));
    dirs.push(dir);
    const log = await createLogger({ dataDir: dir, fileBytes: 16 * 1024 });
    for (let i = 0; i < 2000; i++) {
      log.logger.info({ i, pad: 'x'.repeat(100) }, 'line');
      if (i % 50 === 49) await new Promise((r) => setTimeout(r, 1));
    }
    log.flush();
    const files = logFiles(log.dir);
    expect(files).toHaveLength(LOG_FILES_KEPT);
    for (const f of files.slice(0, -1)) expect(statSync(f).size).toBeLessThan(16 * 1024 + 1024);
    const last = readFileSync(files.at(-1)!, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(last.at(-1).i).toBe(1999);
  });

  it('redact secrets in messages and fields, including ones added later', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vega-log-'));
    dirs.push(dir);
    const log = await createLogger({ dataDir: dir });
    log.scrubber.set(['sk-config-secret-1']);
    log.scrubber.add('generated-key-2');
    log.logger.info(
      { nested: { note: 'has sk-config-secret-1 inside' }, headers: { authorization: 'Bearer abc' } },
      'key generated-key-2 used',
    );
    log.flush();
    const text = logFiles(log.dir)
      .map((f) => readFileSync(f, 'utf8'))
      .join('');
    expect(text).not.toContain('sk-config-secret-1');
    expect(text).not.toContain('generated-key-2');
    expect(text).not.toContain('Bearer abc');
    expect(text.match(/\[redacted\]/g)?.length).toBe(3);
  });
});
