import { Agent, Pool, request, interceptors } from 'undici';
import { RemoteServers } from './lib/remote.js';
import { tempEngine } from '../tests/helpers/engine.js';
import { HttpMetrics } from '../src-main/engine/metrics.js';
import { createPooledClient } from '../src-main/engine/http-client.js';
const remote = await RemoteServers.start();
const [srv] = await remote.listen(false);
const url = srv!.url + '/x';
const e = await tempEngine({ http: { maxConnections: 100 } });
const agent = new Agent({ connections: 100 });
const agentRetry = agent.compose(interceptors.retry({ maxRetries: 1, methods: ['GET'], statusCodes: [], errorCodes: ['ECONNRESET'] }));
const pool = new Pool(srv!.url, { connections: 100 });
const m = new HttpMetrics(() => true);
const pc = createPooledClient({ maxConnections: 100, keepAliveS: 20, http2: false, timeoutMs: 30000 }, m);
const variants: Record<string, any> = { pool, agent, agentRetry, engine: e.rm.httpClient(), engineAgentOnly: pc.agent, enginePooledNoRetryCheck: pc.dispatcher };
async function seg(d: any, ms: number, conc: number) {
  let n = 0; const end = performance.now() + ms; const t0 = performance.now();
  await Promise.all(Array.from({ length: conc }, async () => { while (performance.now() < end) { const r = await request(url, { dispatcher: d, method: 'POST', body: '{"a":1}' }); await r.body.text(); n++; } }));
  return n / (performance.now() - t0) * 1000;
}
for (const conc of [1, 50]) {
  const res: Record<string, number[]> = {};
  for (const k of Object.keys(variants)) { await seg(variants[k], 300, conc); res[k] = []; }
  for (let r = 0; r < 5; r++) for (const k of Object.keys(variants)) res[k]!.push(await seg(variants[k], 400, conc));
  for (const k of Object.keys(res)) { const s = res[k]!.sort((a, b) => a - b); console.log(conc, k, Math.round(s[2]!)); }
}
await e.dispose(); await remote.close(); process.exit(0);
