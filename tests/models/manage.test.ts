import { afterEach, describe, expect, it } from 'vitest';
import { modelNameProblem, sameModel } from '../../src-shared/models.js';
import { startOpenAIStandIn, type OpenAIStandIn } from '../helpers/openai-standin.js';
import { modelsHarness, type ModelsHarness } from './harness.js';

let h: ModelsHarness | undefined;
let openai: OpenAIStandIn | undefined;
afterEach(async () => {
  await h?.close();
  await openai?.close();
  h = openai = undefined;
});

describe('model names', () => {
  it("follow Ollama's grammar: namespace, tag and registry host allowed; spaces, .. and a bare tag refused", () => {
    for (const ok of [
      'llama3.2',
      'llama3.2:1b',
      'qwen2.5:0.5b-instruct-q4_K_M',
      'library/llama3.2:latest',
      'hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M',
      'registry.local:5000/team/model:v1',
    ]) {
      expect(modelNameProblem(ok), ok).toBeNull();
    }
    expect(modelNameProblem('llama 3.2')).toMatch(/no spaces/);
    expect(modelNameProblem('../etc/passwd')).toMatch(/"\.\."/);
    expect(modelNameProblem('a/../../b')).toMatch(/"\.\."/);
    expect(modelNameProblem('/abs')).toMatch(/start with "\/"/);
    for (const bad of ['-flag', 'x:', ':tag', 'a//b', 'x'.repeat(201), 'model\u0000', 'ünï'])
      expect(modelNameProblem(bad), bad).not.toBeNull();
  });

  it('treat a name without a tag as :latest', () => {
    expect(sameModel('llama3.2', 'llama3.2:latest')).toBe(true);
    expect(sameModel('llama3.2:1b', 'llama3.2')).toBe(false);
  });
});

describe('the Models view calls', () => {
  it('lists installed models with family, parameters, quantization, size, context length and what is loaded', async () => {
    h = await modelsHarness({ models: ['llama3.2', 'qwen2.5:0.5b'] });
    h.ollama.set({ show: { contextLength: 32_768 } });
    await h.api.models.load({ name: 'qwen2.5:0.5b' });
    const [ollama, remote] = await h.api.models.list();
    expect(remote).toMatchObject({ provider: 'openai', configured: false, models: [] });
    expect(ollama).toMatchObject({ provider: 'ollama', reachable: true, error: null });
    const qwen = ollama!.models.find((m) => m.name === 'qwen2.5:0.5b');
    expect(qwen).toMatchObject({
      family: 'llama',
      parameterSize: '3.2B',
      quantization: 'Q4_K_M',
      size: 2_019_393_189,
      contextLength: 32_768,
    });
    expect(qwen?.loaded).toMatchObject({ name: 'qwen2.5:0.5b', sizeVram: 2_019_393_189 });
    expect(ollama!.models.find((m) => m.name === 'llama3.2:latest')?.loaded).toBeNull();
  });

  it('shows a model: context length, the num_ctx its Modelfile sets, capabilities; asks Ollama once', async () => {
    h = await modelsHarness({ models: ['llama3.2'] });
    h.ollama.set({ show: { contextLength: 131_072, numCtx: 8192 } });
    const d = await h.api.models.show({ name: 'llama3.2' });
    expect(d).toMatchObject({ name: 'llama3.2', contextLength: 131_072, defaultNumCtx: 8192, capabilities: ['completion', 'tools'] });
    await h.api.models.show({ name: 'llama3.2:latest' });
    expect(h.ollama.requests.filter((r) => r.path === '/api/show')).toHaveLength(1);
    await expect(h.api.models.show({ name: 'absent' })).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
  });

  it('unloads with keep_alive: 0 and loads ahead of the first message', async () => {
    h = await modelsHarness({ models: ['llama3.2'] });
    expect(await h.api.models.load({ name: 'llama3.2' })).toEqual({ loaded: true });
    expect((await h.api.resources.providers()).loadedModels.map((m) => m.name)).toEqual(['llama3.2:latest']);
    expect(await h.api.models.unload({ name: 'llama3.2' })).toEqual({ unloaded: true });
    expect((await h.api.resources.providers()).loadedModels).toEqual([]);
    const generate = h.ollama.requests.filter((r) => r.path === '/api/generate').map((r) => r.body);
    expect(generate).toEqual([
      { model: 'llama3.2', stream: false },
      { model: 'llama3.2', keep_alive: 0, stream: false },
    ]);
  });

  it('deletes with DELETE /api/delete; an unknown model says it is not installed', async () => {
    h = await modelsHarness({ models: ['llama3.2', 'gemma3:1b'] });
    expect(await h.api.models.delete({ name: 'gemma3:1b' })).toEqual({ deleted: true });
    expect(h.ollama.requests.find((r) => r.path === '/api/delete')).toMatchObject({ method: 'DELETE', body: { model: 'gemma3:1b' } });
    expect((await h.api.models.list())[0]?.models.map((m) => m.name)).toEqual(['llama3.2:latest']);
    await expect(h.api.models.delete({ name: 'gemma3:1b' })).rejects.toMatchObject({
      code: 'MODEL_NOT_FOUND',
      message: expect.stringMatching(/not installed/) as unknown,
    });
  });
});

describe('setup:status, the first-run card', () => {
  it('walks from "Ollama not reachable" to "no models" to "ready" as things change', async () => {
    h = await modelsHarness({ models: [] }, 'VEGA_MODEL=llama3.2\n');
    await h.ollama.stop();
    let s = await h.api.setup.status();
    expect(s).toMatchObject({ ready: false, provider: null, defaultModel: 'llama3.2', defaultInstalled: false });
    expect(s.ollama).toMatchObject({ configured: true, reachable: false, url: h.ollama.url });
    expect(s.ollama.error).toMatch(/not reachable.*ollama serve/);
    expect(s.openai).toMatchObject({ configured: false, reachable: false });
    expect(s.platform).toBe(process.platform);

    await h.ollama.start();
    s = await h.api.setup.status();
    expect(s.ollama).toMatchObject({ reachable: true, error: null, models: [] });
    expect(s.ready).toBe(false);

    // Another model is there, but not VEGA_MODEL: still not ready, and the card can offer the installed one.
    h.ollama.set({ models: ['gemma3:1b'] });
    s = await h.api.setup.status();
    expect(s).toMatchObject({ ready: false, defaultInstalled: false });
    expect(s.ollama.models).toEqual(['gemma3:1b']);

    h.ollama.set({ models: ['gemma3:1b', 'llama3.2'] });
    s = await h.api.setup.status();
    expect(s).toMatchObject({ ready: true, provider: 'ollama', model: 'llama3.2', defaultInstalled: true });
  });

  it('is ready on an OpenAI-compatible server when Ollama has nothing', async () => {
    openai = await startOpenAIStandIn({ models: ['local-model'] });
    h = await modelsHarness({ models: [] }, `OPENAI_BASE_URL=${openai.url}\n`);
    await h.ollama.stop();
    const s = await h.api.setup.status();
    expect(s).toMatchObject({ ready: true, provider: 'openai', model: 'local-model' });
    expect(s.openai).toMatchObject({ configured: true, reachable: true, models: ['local-model'] });
  });

  it('Test connection tries an address before it is saved, and sends the saved key only to the saved server', async () => {
    openai = await startOpenAIStandIn({ models: ['a', 'b'], apiKey: 'sk-saved-secret-1234567890' });
    h = await modelsHarness({}, `OPENAI_BASE_URL=${openai.url}\nOPENAI_API_KEY=sk-saved-secret-1234567890\n`);
    expect(await h.api.setup.testConnection({ url: openai.url })).toMatchObject({ ok: true, models: ['a', 'b'] });
    // Another origin (the same server under another name) does not get the saved key: it is refused, and says so.
    const other = openai.url.replace('127.0.0.1', 'localhost');
    const refused = await h.api.setup.testConnection({ url: other });
    expect(refused).toMatchObject({ ok: false, models: [] });
    expect(refused.message).toMatch(/refused the key.*OPENAI_API_KEY/);
    expect(await h.api.setup.testConnection({ url: other, apiKey: 'sk-saved-secret-1234567890' })).toMatchObject({ ok: true });
    const gone = await h.api.setup.testConnection({ url: 'http://127.0.0.1:9/v1' });
    expect(gone.message).toMatch(/not reachable at http:\/\/127\.0\.0\.1:9\/v1/);
    expect((await h.api.setup.testConnection({ url: 'ftp://x' })).message).toMatch(/http:\/\//);
    const notApi = await h.api.setup.testConnection({ url: h.ollama.url });
    expect(notApi.message).toMatch(/ends in \/v1/);
  });
});
