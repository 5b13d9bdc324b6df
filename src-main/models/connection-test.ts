import type { ConnectionTest } from '../../src-shared/models.js';
import { withDeadline } from '../engine/deadline.js';
import { errorField, joinUrl, send, shownUrl, transportError, type Peer } from '../engine/outbound/index.js';
import type { ResourceManager } from '../engine/resource-manager.js';
import { endpointList, type Endpoint } from '../providers/fleet/endpoints.js';

const TEST_TIMEOUT_MS = 5_000;

function fail(message: string): ConnectionTest {
  return { ok: false, message, models: [] };
}

/**
 * "Test connection" for an OpenAI-compatible address typed in Settings,
 * before it is saved: its /models, through the engine's client. The saved
 * OPENAI_API_KEY goes only to the saved server's origin, so a window cannot
 * send the key to an address of its choosing.
 */
export async function testOpenAiConnection(rm: ResourceManager, raw: string, apiKey?: string): Promise<ConnectionTest> {
  let base: URL;
  try {
    base = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw.trim()) ? raw.trim() : `http://${raw.trim()}`);
  } catch {
    return fail('That is not an address: write it like http://127.0.0.1:1234/v1.');
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:')
    return fail('The address must start with http:// or https://, like http://127.0.0.1:1234/v1.');
  const config = await rm.config.get();
  let saved: Endpoint[] = [];
  try {
    saved = endpointList(config, 'OPENAI_BASE_URL');
  } catch {
    // A broken saved list shares no origin with anything.
  }
  const key = apiKey || (saved.find((e) => e.url.origin === base.origin)?.key ?? '');
  const where = shownUrl(base);
  const peer: Peer = {
    name: 'The server',
    url: where,
    timeoutS: TEST_TIMEOUT_MS / 1000,
    timeoutKey: 'VEGA_HTTP_TIMEOUT_S',
    startHint: 'start it (in LM Studio: Developer → Start Server), or correct the address',
  };
  try {
    const reply = await withDeadline(TEST_TIMEOUT_MS, (signal) =>
      send(rm.httpClient(), peer, {
        url: joinUrl(base, 'models'),
        signal,
        timeoutMs: TEST_TIMEOUT_MS,
        headers: { accept: 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      }),
    );
    const said = (): string => errorField(rm.redact(reply.text())) || 'no details given';
    if (reply.status === 401 || reply.status === 403)
      return fail(`${where} refused the key: ${said()} (HTTP ${reply.status}) — set OPENAI_API_KEY.`);
    if (reply.status === 404) return fail(`${where} has no /models — is it the API's base address? It usually ends in /v1.`);
    if (reply.status < 200 || reply.status > 299) return fail(`${where} answered HTTP ${reply.status}: ${said()}`);
    let list: unknown;
    try {
      list = (JSON.parse(reply.text()) as { data?: unknown }).data;
    } catch {
      list = undefined;
    }
    if (!Array.isArray(list))
      return fail(
        `${where} answered, but not with an OpenAI-compatible model list — is it the API's base address? It usually ends in /v1.`,
      );
    const models = list.map((m) => (m as { id?: unknown }).id).filter((id): id is string => typeof id === 'string');
    return {
      ok: true,
      message: models.length
        ? `Connected: ${where} lists ${models.length} model${models.length === 1 ? '' : 's'}.`
        : `Connected, but ${where} lists no model: load one there first.`,
      models,
    };
  } catch (err) {
    return fail(rm.redact(transportError(err, peer, 'request').message));
  }
}
