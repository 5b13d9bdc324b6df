import { afterAll, beforeAll, expect, it } from 'vitest';
import { startOpenAIStandIn, type OpenAIStandIn } from '../helpers/openai-standin.js';
import { connectApi } from '../helpers/ws-client.js';
import { tempWebHost, type TempWebHost } from '../helpers/web.js';
import { png } from './files.js';
import { add, builtWorker } from './harness.js';

let oai: OpenAIStandIn;
let w: TempWebHost;
let client: Awaited<ReturnType<typeof connectApi>>;

beforeAll(async () => {
  oai = await startOpenAIStandIn();
  w = await tempWebHost(`OPENAI_BASE_URL=${oai.url}\n`, { attachments: { workerFile: await builtWorker() } });
  client = await connectApi(w.host.url, w.key);
});
afterAll(async () => {
  await client.close();
  await w.dispose();
  await oai.close();
});

it('an OpenAI-compatible server gets the image as an image_url data URL beside the text (its model is trusted to see)', async () => {
  const image = png(6, 6);
  const photo = await add(client.api, 'photo.png', image);
  const c = await client.api.chat.create({ provider: 'openai', model: 'qwen2.5-vl' });
  await client.api.chat.send({ conversationId: c.id, text: 'what colour?', attachments: [photo.id] });
  await w.app.chat.service.running(c.id)?.done;
  const body = oai.requests.filter((r) => r.path.endsWith('/chat/completions')).at(-1)!.body as { messages: { content: unknown }[] };
  expect(body.messages.at(-1)!.content).toEqual([
    { type: 'text', text: 'what colour?' },
    { type: 'image_url', image_url: { url: `data:image/png;base64,${image.toString('base64')}` } },
  ]);
});
