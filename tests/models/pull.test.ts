import { afterEach, describe, expect, it } from 'vitest';
import { pullPercent } from '../../src-shared/models.js';
import { eventually } from '../helpers/servers.js';
import { modelsHarness, type ModelsHarness } from './harness.js';

let h: ModelsHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const GiB = 1024 ** 3;

describe('pulling a model through the window contract', () => {
  it('streams Ollama progress (chunks cut mid-line) to a moving bar that ends at 100 %, then the model is installed', async () => {
    h = await modelsHarness();
    h.ollama.set({ pull: { splitChunks: true, steps: 30, delayMs: 5 } });
    const first = await h.api.models.pull({ name: 'llama3.2:1b' });
    expect(['queued', 'pulling']).toContain(first.state);
    const done = await h.finished('llama3.2:1b');
    expect(done).toMatchObject({ state: 'done', status: 'success', error: null });
    expect(done.total).toBe(2_019_377_376 + 11_340 + 6_016 + 560);
    expect(done.completed).toBe(done.total);
    expect(done.layers).toHaveLength(4);
    expect(done.layers.every((l) => l.digest.startsWith('sha256:') && l.completed === l.total)).toBe(true);
    // The bar moved: percentages seen on the way only ever grow, from below half to the end.
    const percents = h.events.filter((e) => e.name === 'llama3.2:1b').map(pullPercent);
    expect(percents.some((p) => p > 0 && p < 50)).toBe(true);
    expect(percents.at(-1)).toBe(100);
    const listed = await h.api.models.list();
    expect(listed.find((p) => p.provider === 'ollama')?.models.map((m) => m.name)).toEqual(['llama3.2:1b']);
  });

  it('cancels by closing the stream; pulling again resumes from the bytes Ollama kept', async () => {
    h = await modelsHarness();
    h.ollama.set({ pull: { layers: [1_000_000_000], steps: 200, delayMs: 10 } });
    await h.api.models.pull({ name: 'qwen2.5:0.5b' });
    await eventually(() => h!.events.some((e) => e.completed > 100_000_000), 10_000, 'some progress');
    expect(await h.api.models.cancelPull({ name: 'qwen2.5:0.5b' })).toEqual({ cancelled: true });
    const cancelled = await h.finished('qwen2.5:0.5b');
    expect(cancelled.state).toBe('cancelled');
    expect(cancelled.error).toBeNull();
    await eventually(() => h!.ollama.registry.pullsCancelled === 1, 5_000, 'the stand-in to see the stream closed');
    const keptAt = cancelled.completed;

    h.events.length = 0;
    h.ollama.set({ pull: { layers: [1_000_000_000], steps: 5, delayMs: 5 } });
    await h.api.models.pull({ name: 'qwen2.5:0.5b' });
    const resumed = await h.finished('qwen2.5:0.5b');
    expect(resumed.state).toBe('done');
    // The first progress after the layer's total already counts what the cancelled pull downloaded.
    const firstBytes = h.events.find((e) => e.completed > 0);
    expect(firstBytes?.completed).toBeGreaterThanOrEqual(keptAt);
    expect(await h.api.models.cancelPull({ name: 'qwen2.5:0.5b' })).toEqual({ cancelled: false });
  });

  it('runs one pull at a time: the second waits in the queue, then runs', async () => {
    h = await modelsHarness();
    h.ollama.set({ pull: { steps: 20, delayMs: 5 } });
    await h.api.models.pull({ name: 'gemma3:1b' });
    const second = await h.api.models.pull({ name: 'llama3.2:3b' });
    expect(second.state).toBe('queued');
    // Asking again for a pull under way answers its state; it is not queued twice.
    expect((await h.api.models.pull({ name: 'llama3.2:3b' })).state).toBe('queued');
    const pulls = await h.api.models.pulls();
    expect(pulls.map((p) => [p.name, p.state])).toEqual([
      ['gemma3:1b', 'pulling'],
      ['llama3.2:3b', 'queued'],
    ]);
    await h.finished('llama3.2:3b');
    const order = h.events.filter((e) => e.state === 'pulling').map((e) => e.name);
    expect(order.lastIndexOf('gemma3:1b')).toBeLessThan(order.indexOf('llama3.2:3b'));
    expect(h.ollama.requests.filter((r) => r.path === '/api/pull').map((r) => (r.body as { model: string }).model)).toEqual([
      'gemma3:1b',
      'llama3.2:3b',
    ]);
  });

  it('lives in main: a window that opens mid-pull finds it under way', async () => {
    h = await modelsHarness();
    h.ollama.set({ pull: { steps: 100, delayMs: 10 } });
    await h.api.models.pull({ name: 'llama3.2:1b' });
    await eventually(() => h!.events.some((e) => e.completed > 0), 10_000, 'progress');
    const { connectApi } = await import('../helpers/ws-client.js');
    const reloaded = await connectApi(h.web.host.url, h.web.key);
    try {
      const [pull] = await reloaded.api.models.pulls();
      expect(pull).toMatchObject({ name: 'llama3.2:1b', state: 'pulling' });
      expect(pull!.completed).toBeGreaterThan(0);
    } finally {
      await reloaded.close();
    }
    await h.api.models.cancelPull({ name: 'llama3.2:1b' });
    await h.finished('llama3.2:1b');
  });
});

describe('a pull that goes wrong ends in a clear state, never a stuck bar', () => {
  it('a stream cut mid-way (half a line, then the socket drops) says to pull again, which resumes', async () => {
    h = await modelsHarness();
    h.ollama.set({ pull: { steps: 10, cutAfter: 6 } });
    await h.api.models.pull({ name: 'llama3.2:1b' });
    const end = await h.finished('llama3.2:1b');
    expect(end.state).toBe('failed');
    expect(end.error?.message).toMatch(/stopped before it finished.*pull it again.*resumes/);
    expect(end.bytesPerSecond).toBeNull();
    expect((await h.api.models.pulls())[0]?.state).toBe('failed');
  });

  it('an error line mid-stream (a full disk) says the fix', async () => {
    h = await modelsHarness();
    h.ollama.set({
      pull: { steps: 10, errorAfter: { lines: 4, error: 'write /root/.ollama/models/blobs/sha256-1-partial: no space left on device' } },
    });
    await h.api.models.pull({ name: 'llama3.2:1b' });
    const end = await h.finished('llama3.2:1b');
    expect(end.state).toBe('failed');
    expect(end.error?.message).toMatch(/disk .* is full .*free some space/);
    expect(end.completed).toBeGreaterThan(0);
  });

  it('an unknown name says so and where to look; an unreachable registry says to check the network', async () => {
    h = await modelsHarness();
    h.ollama.set({ pull: { unknown: ['no-such-model'] } });
    await h.api.models.pull({ name: 'no-such-model' });
    const unknown = await h.finished('no-such-model');
    expect(unknown.error).toMatchObject({ code: 'MODEL_NOT_FOUND' });
    expect(unknown.error?.message).toMatch(/ollama\.com\/library/);

    h.ollama.set({
      pull: {
        errorAfter: {
          lines: 0,
          error:
            'pull model manifest: Get "https://registry.ollama.ai/v2/library/x/manifests/latest": dial tcp: lookup registry.ollama.ai: no such host',
        },
      },
    });
    await h.api.models.pull({ name: 'x' });
    const offline = await h.finished('x');
    expect(offline.error).toMatchObject({ code: 'PROVIDER_UNREACHABLE' });
    expect(offline.error?.message).toMatch(/could not reach the model registry.*check the network/);
  });

  it('a 10 GB layer counts to the byte and ends at 100 %', async () => {
    h = await modelsHarness();
    h.ollama.set({ pull: { layers: [10 * GiB], steps: 40, delayMs: 2 } });
    await h.api.models.pull({ name: 'big:70b' });
    const end = await h.finished('big:70b');
    expect(end).toMatchObject({ state: 'done', total: 10 * GiB, completed: 10 * GiB });
    expect(pullPercent(end)).toBe(100);
    expect(h.events.every((e) => pullPercent(e) >= 0 && pullPercent(e) <= 100)).toBe(true);
  });

  it('Ollama not running: the pull fails at once, saying how to start it', async () => {
    h = await modelsHarness();
    await h.ollama.stop();
    await h.api.models.pull({ name: 'llama3.2:1b' });
    const end = await h.finished('llama3.2:1b');
    expect(end.error).toMatchObject({ code: 'PROVIDER_UNREACHABLE' });
    expect(end.error?.message).toMatch(/ollama serve/);
  });

  it('refuses a name with spaces or ../ before anything is sent', async () => {
    h = await modelsHarness();
    for (const name of ['llama 3.2', '../../etc/passwd', 'a/../b', 'x:', '']) {
      await expect(h.api.models.pull({ name }), name).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    }
    await expect(h.api.models.pull({ name: 'llama 3.2' })).rejects.toThrow(/no spaces/);
    await expect(h.api.models.delete({ name: '../x' })).rejects.toThrow(/"\.\."/);
    expect(h.ollama.requests.filter((r) => r.path === '/api/pull' || r.path === '/api/delete')).toHaveLength(0);
  });
});

describe('POST /admin/models/pull', () => {
  const post = (body: unknown, key?: string) =>
    fetch(`${h!.web.host.url}/admin/models/pull`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) },
      body: JSON.stringify(body),
    });

  it('streams the progress as NDJSON, the last line done, with the same key as the other admin routes', async () => {
    h = await modelsHarness();
    h.ollama.set({ pull: { steps: 10, delayMs: 5 } });
    expect((await post({ model: 'llama3.2:1b' })).status).toBe(401);
    const bad = await post({ model: 'llama 3.2' }, h.web.key);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/no spaces/);

    const res = await post({ model: 'llama3.2:1b' }, h.web.key);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/x-ndjson/);
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ model: 'llama3.2:1b', done: false });
    expect(lines.at(-1)).toMatchObject({ model: 'llama3.2:1b', state: 'done', percent: 100, done: true, error: null });
    expect(lines.filter((l) => l.done)).toHaveLength(1);
    // The window saw the same pull.
    expect(h.events.some((e) => e.name === 'llama3.2:1b' && e.state === 'done')).toBe(true);
  });

  it('a failed pull ends with its error on the last line', async () => {
    h = await modelsHarness();
    h.ollama.set({ pull: { unknown: ['nope'] } });
    const lines = (await (await post({ model: 'nope' }, h.web.key)).text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.at(-1)).toMatchObject({ state: 'failed', done: true, error: { code: 'MODEL_NOT_FOUND' } });
  });
});
