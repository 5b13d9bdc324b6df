import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { VegaApi } from '../../src-shared/api.js';
import { startOllamaStandIn, type OllamaStandIn } from '../helpers/ollama-standin.js';
import { connectApi } from '../helpers/ws-client.js';
import { tempWebHost, type TempWebHost } from '../helpers/web.js';
import { pdf, png } from './files.js';
import { add, builtWorker, refusal } from './harness.js';

type SentMessage = { role: string; content: string; images?: string[] };

let ollama: OllamaStandIn;
let dir: string;
let w: TempWebHost;
let client: Awaited<ReturnType<typeof connectApi>>;
let api: VegaApi;

const chats = () => ollama.requests.filter((r) => r.path === '/api/chat').map((r) => r.body as { model: string; messages: SentMessage[] });
const attachmentsDir = () => path.join(dir, 'data', 'attachments');

async function start(): Promise<void> {
  w = await tempWebHost(`OLLAMA_HOST=${ollama.url}\n`, { dir, attachments: { workerFile: await builtWorker() } });
  client = await connectApi(w.host.url, w.key);
  api = client.api;
}
async function stop(): Promise<void> {
  await client.close();
  await w.dispose();
}
async function answered(conversationId: string): Promise<void> {
  await w.app.chat.service.running(conversationId)?.done;
}

beforeAll(async () => {
  ollama = await startOllamaStandIn({ models: ['llava', 'llama3.2'] });
  ollama.set({ show: { capabilities: { llava: ['completion', 'vision'] } } });
});
afterAll(() => ollama.close());
beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'vega-attach-'));
  ollama.requests.length = 0;
  await start();
});
afterEach(async () => {
  await stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('chat:send with attachments', () => {
  it('a PNG and a PDF reach a vision model: the image as base64 in `images`, the PDF as a text block with its header', async () => {
    const image = png(16, 9);
    const photo = await add(api, 'photo.png', image);
    const report = await add(api, 'report.pdf', pdf(['Revenue grew 12 percent in March']));
    const c = await api.chat.create({ model: 'llava' });
    await api.chat.send({ conversationId: c.id, text: 'What do these show?', attachments: [photo.id, report.id] });
    await answered(c.id);
    const user = chats().at(-1)!.messages.at(-1)!;
    expect(user.images).toEqual([image.toString('base64')]);
    expect(user.content).toContain('What do these show?');
    expect(user.content).toContain(
      `--- file: report.pdf (PDF, ~${report.tokens} tokens) ---\nRevenue grew 12 percent in March\n--- end of file: report.pdf ---`,
    );
    // The history keeps references, never bytes; the typed text stays what was typed.
    const conv = await api.chat.get({ conversationId: c.id });
    const saved = conv.messages.find((m) => m.role === 'user')!;
    expect(saved.content).toBe('What do these show?');
    expect(saved.attachments?.map((a) => a.name)).toEqual(['photo.png', 'report.pdf']);
    expect(JSON.stringify(conv)).not.toContain(image.toString('base64'));
  });

  it('an image for a model that cannot see is refused before any request, naming the models that can; nothing is saved', async () => {
    const photo = await add(api, 'photo.png', png());
    const c = await api.chat.create({ model: 'llama3.2' });
    const e = await refusal(api.chat.send({ conversationId: c.id, text: 'look', attachments: [photo.id] }));
    expect(e).toMatchObject({
      code: 'model_cannot_see',
      message: expect.stringContaining('llama3.2 cannot see images'),
      details: { visionModels: ['llava:latest'] },
    });
    expect(chats()).toEqual([]);
    expect((await api.chat.get({ conversationId: c.id })).messages).toEqual([]);
  });

  it('documents past the context window: attachments_exceed_context; includeFirstPart cuts them to fit and says so', async () => {
    ollama.set({ show: { capabilities: { llava: ['completion', 'vision'] }, contextLength: 2048 } });
    const long = await add(api, 'long.txt', Buffer.from('word '.repeat(4000)));
    const c = await api.chat.create({ model: 'llama3.2' });
    const e = await refusal(api.chat.send({ conversationId: c.id, text: 'summarise', attachments: [long.id] }));
    expect(e).toMatchObject({ code: 'attachments_exceed_context', details: { contextTokens: 2048 } });
    expect((e.details as { tokens: number }).tokens).toBeGreaterThan(5000);
    expect(chats()).toEqual([]);
    await api.chat.send({ conversationId: c.id, text: 'summarise', attachments: [long.id], includeFirstPart: true });
    await answered(c.id);
    const sent = chats().at(-1)!.messages.at(-1)!.content;
    expect(sent).toMatch(/--- file: long\.txt \(text, first ~\d+ of ~5000 tokens\) ---/);
    const ref = (await api.chat.get({ conversationId: c.id })).messages[0]!.attachments![0]!;
    expect(ref.truncatedTo).toBeGreaterThan(0);
    expect(ref.truncatedTo).toBeLessThan(20_000);
  });

  it('regenerate and edit keep the files of the message', async () => {
    const photo = await add(api, 'photo.png', png());
    const c = await api.chat.create({ model: 'llava' });
    const { messageId } = await api.chat.send({ conversationId: c.id, text: 'first', attachments: [photo.id] });
    await answered(c.id);
    expect(messageId).toBeTruthy();
    await api.chat.regenerate({ conversationId: c.id });
    await answered(c.id);
    const userId = (await api.chat.get({ conversationId: c.id })).messages[0]!.id;
    await api.chat.edit({ conversationId: c.id, messageId: userId, text: 'edited' });
    await answered(c.id);
    const bodies = chats();
    expect(bodies).toHaveLength(3);
    for (const b of bodies) expect(b.messages.at(-1)!.images).toHaveLength(1);
    expect(bodies[2]!.messages.at(-1)!.content).toBe('edited');
  });

  it('delete removes the files a conversation held, unless another conversation holds the same file', async () => {
    const shared = await add(api, 'shared.png', png(3, 3, [1, 1, 1]));
    const own = await add(api, 'own.pdf', pdf(['only mine']));
    const a = await api.chat.create({ model: 'llava' });
    const b = await api.chat.create({ model: 'llava' });
    await api.chat.send({ conversationId: a.id, text: 'a', attachments: [shared.id, own.id] });
    await answered(a.id);
    await api.chat.send({ conversationId: b.id, text: 'b', attachments: [shared.id] });
    await answered(b.id);
    await api.chat.delete({ conversationId: a.id });
    const left = readdirSync(attachmentsDir());
    expect(left.filter((f) => f.startsWith(own.id))).toEqual([]);
    expect(left).toContain(shared.id);
    await api.chat.delete({ conversationId: b.id });
    expect(readdirSync(attachmentsDir()).filter((f) => f.startsWith(shared.id))).toEqual([]);
  });

  it('after a restart over the same data folder the thumbnails are still served; a file never sent is collected after a day', async () => {
    const thumb = png(2, 2);
    const photo = await add(api, 'photo.png', png(32, 32), thumb);
    const c = await api.chat.create({ model: 'llava' });
    await api.chat.send({ conversationId: c.id, text: 'keep', attachments: [photo.id] });
    await answered(c.id);
    const unsent = await add(api, 'unsent.txt', Buffer.from('never sent'));
    const dayAgo = new Date(Date.now() - 25 * 60 * 60 * 1000);
    utimesSync(path.join(attachmentsDir(), unsent.id), dayAgo, dayAgo);
    utimesSync(path.join(attachmentsDir(), photo.id), dayAgo, dayAgo);
    await stop();
    await start();
    const ref = (await api.chat.get({ conversationId: c.id })).messages[0]!.attachments![0]!;
    expect(await api.attachments.get({ id: ref.id, variant: 'thumbnail' })).toEqual({ mime: 'image/png', data: thumb.toString('base64') });
    expect(existsSync(path.join(attachmentsDir(), unsent.id))).toBe(false);
    expect(existsSync(path.join(attachmentsDir(), photo.id))).toBe(true);
  });

  it('export: JSON carries the files as base64, Markdown links them', async () => {
    const image = png(4, 4);
    const photo = await add(api, 'pic [1].png', image);
    const c = await api.chat.create({ model: 'llava' });
    await api.chat.send({ conversationId: c.id, text: 'export me', attachments: [photo.id] });
    await answered(c.id);
    const json = JSON.parse((await api.chat.export({ conversationId: c.id, format: 'json' })).content) as {
      files: Record<string, { mime: string; data: string }>;
    };
    expect(json.files[photo.id]).toEqual({ mime: 'image/png', data: image.toString('base64') });
    const md = (await api.chat.export({ conversationId: c.id, format: 'markdown' })).content;
    expect(md).toContain(`📎 [pic \\[1\\].png](attachments/${photo.id}) (image/png, ${image.length} bytes)`);
  });

  it('an older history without attachments keeps loading and answering', async () => {
    const c = await api.chat.create({ model: 'llama3.2' });
    await api.chat.send({ conversationId: c.id, text: 'plain' });
    await answered(c.id);
    const file = readdirSync(path.join(dir, 'data', 'conversations')).find((f) => f.startsWith(c.id))!;
    expect(readFileSync(path.join(dir, 'data', 'conversations', file), 'utf8')).not.toContain('attachments');
    await stop();
    await start();
    expect((await api.chat.get({ conversationId: c.id })).messages.map((m) => m.content)).toEqual(['plain', 'You said: plain']);
  });
});
