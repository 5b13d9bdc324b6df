import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractInWorker, defaultWorkerFile } from '../../src-main/attachments/extract.js';
import { connectApi } from '../helpers/ws-client.js';
import { tempWebHost, type TempWebHost } from '../helpers/web.js';
import { docx, docxBomb, encryptedPdf, pdf, png } from './files.js';
import { add, builtWorker, refusal } from './harness.js';

let w: TempWebHost;
let client: Awaited<ReturnType<typeof connectApi>>;
const attachmentsDir = () => path.join(w.dir, 'data', 'attachments');

beforeAll(async () => {
  w = await tempWebHost('', { attachments: { workerFile: await builtWorker() } });
  client = await connectApi(w.host.url, w.key);
});
afterAll(async () => {
  await client.close();
  await w.dispose();
});

describe('attachments:add: the type by content, each bad file with its message', () => {
  it('a PNG is an image with its size; a PDF and a DOCX are documents with a token estimate', async () => {
    const image = await add(client.api, 'photo.png', png(40, 30));
    expect(image).toMatchObject({ kind: 'image', mime: 'image/png', width: 40, height: 30, name: 'photo.png' });
    expect(image.id).toMatch(/^[0-9a-f]{64}$/);
    const doc = await add(client.api, 'report.pdf', pdf(['Quarterly figures rose by four percent']));
    expect(doc).toMatchObject({ kind: 'document', mime: 'application/pdf' });
    // chars / 4: the header's estimate, said so in the ref's type.
    expect(doc.tokens).toBe(Math.ceil('Quarterly figures rose by four percent'.length / 4));
    const word = await add(client.api, 'notes.docx', docx(['Minutes of the meeting']));
    expect(word).toMatchObject({ kind: 'document', mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' });
    const text = await add(client.api, 'data.csv', Buffer.from('a,b\n1,2\n'));
    expect(text).toMatchObject({ kind: 'document', mime: 'text/plain', tokens: 2 });
  });

  it('a PNG named .pdf is the PNG it is', async () => {
    expect(await add(client.api, 'invoice.pdf', png(8, 8))).toMatchObject({ kind: 'image', mime: 'image/png', name: 'invoice.pdf' });
  });

  it('corrupt PDF, encrypted PDF, 0-byte, SVG, unknown binary, zip bomb: each refused with its code and a clear message', async () => {
    const cases: [string, Uint8Array, string, RegExp][] = [
      ['broken.pdf', Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage without xref'), 'attachment_corrupt', /damaged/],
      ['locked.pdf', encryptedPdf(), 'attachment_encrypted', /password/],
      ['empty.txt', new Uint8Array(0), 'attachment_empty', /empty \(0 bytes\)/],
      [
        'logo.svg',
        Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        'attachment_unsupported',
        /SVG/,
      ],
      ['logo.png', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"></svg>'), 'attachment_unsupported', /SVG/],
      [
        'tool.exe',
        Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0xff, 0xff, 0, 0]),
        'attachment_unsupported',
        /cannot read/,
      ],
      ['bomb.docx', docxBomb(200), 'attachment_bomb', /200 MB .*zip bomb/],
    ];
    for (const [name, bytes, code, message] of cases) {
      const e = await refusal(add(client.api, name, bytes));
      expect(e.code, name).toBe(code);
      expect(e.message, name).toMatch(message);
      expect(e.message, name).toContain(name);
    }
  });

  it('the same file twice is stored once; names never become paths', async () => {
    const bytes = png(5, 5, [1, 2, 3]);
    const a = await add(client.api, '../../etc/passwd.png', bytes);
    const b = await add(client.api, 'again.png', bytes);
    expect(b.id).toBe(a.id);
    expect(a.name).toBe('passwd.png');
    const stored = readdirSync(attachmentsDir()).filter((f) => f.startsWith(a.id));
    expect(stored.sort()).toEqual([a.id, `${a.id}.json`]);
    for (const f of readdirSync(attachmentsDir())) expect(f).toMatch(/^([0-9a-f]{64}(\.txt|\.thumb|\.json)?|refs\.json)$/);
    if (process.platform !== 'win32') expect(statSync(path.join(attachmentsDir(), a.id)).mode & 0o777).toBe(0o600);
  });

  it('over VEGA_UPLOAD_MAX_MB: refused naming the limit, over the socket (a frame above 1 MiB is fine for this channel only)', async () => {
    // 30 MB: its frame is past the configured limit's too, and still gets the typed answer, not a closed socket.
    const big = Buffer.alloc(30 * 1024 * 1024, 0x61);
    const e = await refusal(add(client.api, 'big.txt', big));
    expect(e).toMatchObject({
      code: 'attachment_too_large',
      message: expect.stringMatching(/limit is 20 MB per message \(VEGA_UPLOAD_MAX_MB\)/),
    });
    // 1.5 MB of text: its frame is over the 1 MiB every other channel keeps.
    const ok = await add(client.api, 'long.txt', Buffer.alloc(1.5 * 1024 * 1024, 0x62));
    expect(ok).toMatchObject({ kind: 'document', size: 1.5 * 1024 * 1024 });
  });

  it('attachments:get: a thumbnail the window made, the file itself, and a typed error for an unknown id', async () => {
    const thumb = png(2, 2, [9, 9, 9]);
    const image = await add(client.api, 'big-photo.png', png(64, 48), thumb);
    expect(await client.api.attachments.get({ id: image.id, variant: 'thumbnail' })).toEqual({
      mime: 'image/png',
      data: thumb.toString('base64'),
    });
    expect((await client.api.attachments.get({ id: image.id, variant: 'file' })).data).toBe(png(64, 48).toString('base64'));
    const e = await refusal(client.api.attachments.get({ id: 'f'.repeat(64), variant: 'file' }));
    expect(e.code).toBe('attachment_not_found');
    expect((await refusal(client.api.attachments.get({ id: '../x', variant: 'file' }))).code).toBe('BAD_REQUEST');
  });
});

describe('the extraction worker', () => {
  it('a PDF whose extraction outlasts the bound is stopped: attachment_timeout, and the worker is gone', async () => {
    const many = pdf(Array.from({ length: 4000 }, (_, i) => `page ${i} `.repeat(30)));
    // The same file within a bound it can meet reads fine: only the bound differs.
    const short = await extractInWorker({ bytes: many, maxChars: 1_000_000 }, { timeoutMs: 300, heapMb: 256 }, await builtWorker());
    expect(short).toMatchObject({ ok: false, code: 'attachment_timeout', message: expect.stringMatching(/longer than 0.3 s/) });
  });

  it('runs from the TypeScript source when no bundle is beside it (tests, dev)', async () => {
    const source = defaultWorkerFile();
    expect(source).toMatchObject({ source: true, file: expect.stringMatching(/worker\.ts$/) });
    expect(existsSync(source.file)).toBe(true);
    const r = await extractInWorker({ bytes: Buffer.from('# Title\n'), maxChars: 100 }, { timeoutMs: 60_000, heapMb: 256 }, source);
    expect(r).toEqual({ ok: true, kind: 'document', mime: 'text/plain', text: '# Title\n', cut: false });
  });
});
