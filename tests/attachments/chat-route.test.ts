import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startOllamaStandIn, type OllamaStandIn } from '../helpers/ollama-standin.js';
import { tempWebHost, type TempWebHost } from '../helpers/web.js';
import { encryptedPdf, pdf, png } from './files.js';
import { builtWorker } from './harness.js';

let ollama: OllamaStandIn;
let w: TempWebHost;

beforeAll(async () => {
  ollama = await startOllamaStandIn({ models: ['llava', 'llama3.2'] });
  ollama.set({ show: { capabilities: { llava: ['completion', 'vision'] } } });
  w = await tempWebHost(`OLLAMA_HOST=${ollama.url}\nVEGA_UPLOAD_MAX_MB=2\n`, { attachments: { workerFile: await builtWorker() } });
});
afterAll(async () => {
  await w.dispose();
  await ollama.close();
});

async function post(route: string, body: unknown) {
  const res = await request(`${w.host.url}${route}`, {
    method: 'POST',
    headers: { 'x-api-key': w.key, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.body.text();
  return { status: res.statusCode, json: JSON.parse(text) as Record<string, unknown> & { error?: { code: string; message: string } } };
}

const lastUser = () => {
  const body = ollama.requests.filter((r) => r.path === '/api/chat').at(-1)!.body as { messages: { content: string; images?: string[] }[] };
  return body.messages.at(-1)!;
};

describe('POST /chat with images and files', () => {
  it("takes Ollama's `images` (base64) and `files` [{name, data}]: the image and the PDF's text reach the model", async () => {
    const image = png(10, 10).toString('base64');
    const r = await post('/chat', {
      prompt: 'describe',
      model: 'llava',
      images: [image],
      files: [{ name: 'memo.pdf', data: pdf(['The memo says hello']).toString('base64') }],
    });
    expect(r.status).toBe(200);
    expect(r.json.attachment_errors).toBeUndefined();
    expect(lastUser().images).toEqual([image]);
    expect(lastUser().content).toMatch(/--- file: memo\.pdf \(PDF, ~\d+ tokens\) ---\nThe memo says hello/);
  });

  it('a bad file gets its error in `attachment_errors`; the prompt and the other files still go', async () => {
    const r = await post('/chat', {
      prompt: 'read these',
      model: 'llava',
      files: [
        { name: 'locked.pdf', data: encryptedPdf().toString('base64') },
        { name: 'ok.md', data: Buffer.from('# fine').toString('base64') },
        { name: 'empty.txt', data: '' },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.json.attachment_errors).toEqual([
      { name: 'locked.pdf', code: 'attachment_encrypted', message: expect.stringMatching(/password/) },
      { name: 'empty.txt', code: 'attachment_empty', message: 'empty.txt is empty (0 bytes).' },
    ]);
    expect(lastUser().content).toContain('--- file: ok.md (Markdown, ~2 tokens) ---\n# fine');
    expect(lastUser().content).not.toContain('locked.pdf');
  });

  it('an image for a model that cannot see: 422 model_cannot_see, and no request reached the model', async () => {
    const before = ollama.requests.filter((r) => r.path === '/api/chat').length;
    const r = await post('/chat', { prompt: 'look', model: 'llama3.2', images: [png().toString('base64')] });
    expect(r.status).toBe(422);
    expect(r.json.error).toMatchObject({ code: 'model_cannot_see', message: expect.stringContaining('llava:latest') });
    expect(ollama.requests.filter((q) => q.path === '/api/chat').length).toBe(before);
  });

  it('over VEGA_UPLOAD_MAX_MB: 413 naming the limit; any other route keeps its 1 MiB', async () => {
    const big = Buffer.alloc(1.1 * 1024 * 1024, 0x61).toString('base64');
    const r = await post('/chat', {
      prompt: 'too much',
      files: [
        { name: 'a.txt', data: big },
        { name: 'b.txt', data: big },
      ],
    });
    expect(r.status).toBe(413);
    expect(r.json.error).toMatchObject({
      code: 'attachment_too_large',
      message: expect.stringMatching(/limit is 2 MB per message \(VEGA_UPLOAD_MAX_MB\)/),
    });
    const huge = await post('/chat', { prompt: 'x', files: [{ name: 'c.txt', data: Buffer.alloc(4 * 1024 * 1024).toString('base64') }] });
    expect(huge.status).toBe(413);
    expect(huge.json.error?.message).toMatch(/upload limit, 2 MB per message \(VEGA_UPLOAD_MAX_MB\)/);
    // 1.2 MB is fine for /chat's files, too much for another route.
    const other = await post('/admin/models/pull', { model: 'x'.repeat(1.2 * 1024 * 1024) });
    expect(other).toMatchObject({ status: 413, json: { error: { message: 'The body is larger than 1048576 bytes.' } } });
  });
});
