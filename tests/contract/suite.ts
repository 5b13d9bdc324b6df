import { afterAll, beforeAll, expect, it } from 'vitest';
import type { VegaApi } from '../../src-shared/api.js';
import { CONFIG_KEYS } from '../../src-shared/config-keys.js';
import type { Envelope } from '../../src-shared/contract.js';

/**
 * One small suite of calls that every bridge (Electron IPC, the WebSocket)
 * must answer the same way, run over each host's real glue. Call it inside a
 * `describe`; the api is made once for the suite and closed after it.
 */
export interface ContractHarness {
  readonly api: VegaApi;
  close(): Promise<void>;
  /**
   * The bridge's raw door, for what the typed api cannot express (a channel
   * that does not exist). Optional: without it that test is skipped.
   */
  readonly invokeRaw?: (channel: string, params: unknown) => Promise<Envelope<unknown>>;
}

export function runContractSuite(makeApi: () => Promise<ContractHarness>): void {
  let h: ContractHarness | undefined;
  const harness = (): ContractHarness => {
    if (!h) throw new Error('makeApi() did not produce a harness');
    return h;
  };
  beforeAll(async () => {
    h = await makeApi();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('app:info names the version, the host and the data dir', async () => {
    const info = await harness().api.app.info();
    expect(info.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(['electron', 'web']).toContain(info.host);
    expect(info.dataDir.length).toBeGreaterThan(0);
    expect(info.platform).toBe(process.platform);
  });

  it('resources:health reports a healthy engine', async () => {
    const health = await harness().api.resources.health();
    expect(health.status).toBe('healthy');
    expect(health.checks.httpClient).toBe(true);
    expect(Number.isNaN(Date.parse(health.timestamp))).toBe(false);
  });

  it('resources:invalidateCache drops the config copy: the next read is a miss', async () => {
    const { api } = harness();
    const before = (await api.resources.snapshot()).configCache.misses;
    expect(await api.resources.invalidateCache()).toEqual({ invalidated: true });
    await api.config.get();
    expect((await api.resources.snapshot()).configCache.misses).toBeGreaterThan(before);
  });

  it('config:get lists every setting and sends no secret value', async () => {
    const entries = await harness().api.config.get();
    expect(entries.map((e) => e.key).sort()).toEqual(CONFIG_KEYS.map((k) => k.key).sort());
    for (const e of entries.filter((x) => x.secret)) expect(e.value).toBe('');
  });

  it('config:get says when each setting applies: live, or at the next start', async () => {
    const entries = await harness().api.config.get();
    for (const e of entries) expect(e.appliesAt, e.key).toBe(CONFIG_KEYS.find((k) => k.key === e.key)?.appliesAt);
    const at = (key: string) => entries.find((e) => e.key === key)?.appliesAt;
    expect([
      at('VEGA_HTTP_MAX_CONNECTIONS'),
      at('VEGA_DATA_DIR'),
      at('VEGA_LOG_LEVEL'),
      at('VEGA_HOST'),
      at('VEGA_PORT'),
      at('VEGA_API_KEY'),
    ]).toEqual(Array(6).fill('restart'));
    expect([at('OLLAMA_HOST'), at('VEGA_MODEL'), at('OPENAI_API_KEY')]).toEqual(['live', 'live', 'live']);
  });

  it('a payload failing its schema is BAD_REQUEST, including a __proto__ key', async () => {
    const { api } = harness();
    await expect(api.config.set({ values: { 'not a key': 'x' } })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(api.chat.get({ conversationId: 5 } as never)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    // An own "__proto__" key, as JSON.parse makes it: refused, not merged into a prototype.
    await expect(api.chat.list(JSON.parse('{"__proto__":{"query":"x"}}'))).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(({} as Record<string, unknown>).query).toBeUndefined();
  });

  it('an unknown channel is refused, and nothing answers it', async (ctx) => {
    const raw = harness().invokeRaw;
    if (!raw) return ctx.skip('this bridge has no raw door; its typed api cannot name an unknown channel');
    // A bridge may refuse with an UNKNOWN_CHANNEL envelope (the WebSocket) or
    // have no handler at all for the name (Electron's ipcMain rejects the invoke).
    const outcome = await raw('no:such', {}).then(
      (env) => ({ env }),
      (err: unknown) => ({ rejected: err instanceof Error ? err.message : String(err) }),
    );
    if ('env' in outcome) expect(outcome.env).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    else expect(outcome.rejected).toMatch(/no:such/);
  });

  // Last: where the host can restart itself (Electron), this starts its quit.
  it('app:restart takes no parameters; the host relaunches itself where it can, else says how', async () => {
    const { api } = harness();
    await expect((api.app.restart as (p: unknown) => Promise<unknown>)({ now: true })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const { host } = await api.app.info();
    const answer = await api.app.restart();
    expect(answer.restarting).toBe(host === 'electron');
    expect(answer.message).toMatch(host === 'electron' ? /restarting/ : /npm run serve/);
  });
}
