import { readFileSync, readdirSync } from 'node:fs';
import { startApp } from './lib/app.js';
const mode = process.argv[2];
const app = mode === 'none' ? null : await startApp('http://127.0.0.1:9');
function threads(): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of readdirSync('/proc/self/task')) {
    const s = readFileSync(`/proc/self/task/${t}/stat`, 'utf8');
    const name = s.slice(s.indexOf('(') + 1, s.lastIndexOf(')'));
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    m.set(`${t}:${name}`, Number(f[11]) + Number(f[12]));
  }
  return m;
}
await new Promise((r) => setTimeout(r, Number(process.argv[3] ?? 5000)));
const a = threads(); const c0 = process.cpuUsage();
await new Promise((r) => setTimeout(r, 10000));
const b = threads(); const c = process.cpuUsage(c0);
for (const [k, v] of b) if (v - (a.get(k) ?? 0) > 0) console.log(k, v - (a.get(k) ?? 0), 'ticks');
console.log(mode, 'cpu %', ((c.user + c.system) / 1000 / 10000) * 100);
await app?.close();
process.exit(0);
