import { Pool, request } from 'undici';
import { tempEngine } from '../tests/helpers/engine.js';
import { RemoteServers } from './lib/remote.js';

const remote = await RemoteServers.start();
const [srv] = await remote.listen(false);
const url = `${srv!.url}/v1/chat`;
const engine = await tempEngine({ http: { maxConnections: 100 } });
const pooled = engine.rm.httpClient();
const floor = new Pool(srv!.url, { connections: 100 });
const BODY = '{"a":1}';
async function run(d: typeof pooled, n: number, conc: number): Promise<number> {
  const c0 = process.cpuUsage();
  let left = n;
  await Promise.all(Array.from({ length: conc }, async () => {
    while (left-- > 0) {
      const r = await request(url, { dispatcher: d, method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY });
      await r.body.text();
    }
  }));
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / n;
}
for (let i = 0; i < 2; i++) { await run(pooled, 500, 10); await run(floor, 500, 10); }
const p: number[] = [], f: number[] = [];
for (let i = 0; i < 7; i++) { p.push(await run(pooled, 2000, 10)); f.push(await run(floor, 2000, 10)); }
p.sort((a, b) => a - b); f.sort((a, b) => a - b);
console.log('pooled µs/req', p.map(Math.round).join(' '), '\nfloor  µs/req', f.map(Math.round).join(' '), '\nratio', (p[3]! / f[3]!).toFixed(3));
await floor.close(); await engine.dispose(); await remote.close();
