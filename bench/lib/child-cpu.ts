/** CPU of a child process that answers "cpu" with its process.cpuUsage() (see web-host-proc.ts). */
import type { ChildProcess } from 'node:child_process';

async function cpuMs(child: ChildProcess): Promise<number> {
  const c = await new Promise<{ user: number; system: number }>((resolve) => {
    const on = (m: { cpu?: { user: number; system: number } }) => {
      if (!m.cpu) return;
      child.off('message', on);
      resolve(m.cpu);
    };
    child.on('message', on);
    child.send('cpu');
  });
  return (c.user + c.system) / 1000;
}

/** The child's CPU over the span of `during`, as a percentage of one core. */
export async function cpuShare(child: ChildProcess, seconds: number, during: (untilMs: number) => Promise<void>): Promise<number> {
  const c0 = await cpuMs(child);
  const t0 = performance.now();
  await during(t0 + seconds * 1000);
  const c1 = await cpuMs(child);
  return ((c1 - c0) / (performance.now() - t0)) * 100;
}
