/**
 * A TCP proxy on 127.0.0.1 that holds every chunk `delayMs` before passing it
 * on, in both directions and in order: a model server across a LAN, so that
 * round trips cost what they cost there (loopback has none, and measures CPU).
 * Runs in its own process (`startDelayProxy`), so the client's and the
 * server's CPU work cannot delay its timers.
 *
 * As a child: `delay-proxy.ts <targetPort> <delayMs>`, sends `{port}` once listening.
 */
import { fork } from 'node:child_process';
import net, { type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

export interface DelayProxy {
  readonly port: number;
  close(): Promise<void>;
}

export async function startDelayProxy(targetPort: number, delayMs: number): Promise<DelayProxy> {
  const child = fork(fileURLToPath(import.meta.url), [String(targetPort), String(delayMs)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('delay proxy did not start in 20 s')), 20_000);
    child.once('message', (m: { port: number }) => {
      clearTimeout(t);
      resolve(m.port);
    });
    child.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`delay proxy exited (${code})`));
    });
  });
  return {
    port,
    close: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}

/**
 * Pass `from`'s bytes to `to`, each chunk `delayMs` after it came and never
 * before `notBefore` (performance.now() ms): one queue per direction, so
 * the order holds whatever the timers do.
 */
function delayed(from: net.Socket, to: net.Socket, delayMs: number, notBefore: number): void {
  const queue: { at: number; run: () => void }[] = [];
  let timer: NodeJS.Timeout | undefined;
  const drain = (): void => {
    timer = undefined;
    while (queue.length && queue[0]!.at <= performance.now()) queue.shift()!.run();
    if (queue.length) timer = setTimeout(drain, queue[0]!.at - performance.now());
  };
  const later = (run: () => void): void => {
    const last = queue.length ? queue[queue.length - 1]!.at : notBefore;
    queue.push({ at: Math.max(performance.now() + delayMs, last), run });
    timer ??= setTimeout(drain, queue[0]!.at - performance.now());
  };
  from.on('data', (chunk) => later(() => to.write(chunk)));
  from.on('end', () => later(() => to.end()));
  from.on('error', () => later(() => to.destroy()));
  from.on('close', () => later(() => to.destroy()));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [targetPort, delayMs] = process.argv.slice(2).map(Number) as [number, number];
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: '127.0.0.1', port: targetPort });
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    // The kernel completed the client's connect at once; across a network the
    // handshake (SYN, SYN-ACK) takes a round trip before the first byte leaves,
    // so that byte reaches the server three one-way delays from now.
    delayed(client, upstream, delayMs, performance.now() + 3 * delayMs);
    delayed(upstream, client, delayMs, 0);
  });
  server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
  process.on('disconnect', () => process.exit(0));
}
