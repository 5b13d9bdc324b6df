/**
 * The web host alone in a child process, so the CPU it spends answering is
 * measured apart from the client that asks. With the argument `bare`, a plain
 * Node HTTP server instead: the floor any answer costs on this machine.
 * Sends `{port, key}` once listening; answers "cpu" with its
 * process.cpuUsage(); "close" ends it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startApp } from './app.js';

const send = (m: unknown) => process.send?.(m);
let close: () => Promise<void>;
if (process.argv[2] === 'bare') {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  close = () => new Promise((resolve) => server.close(() => resolve()));
  send({ port: (server.address() as AddressInfo).port, key: '' });
} else {
  const app = await startApp('http://127.0.0.1:9');
  close = () => app.close();
  send({ port: app.host.port, key: app.host.apiKey });
}
// A bench killed at its time bound must not leave this process behind.
process.on('disconnect', () => process.exit(0));
process.on('message', (m: string) => {
  if (m === 'cpu') send({ cpu: process.cpuUsage() });
  if (m === 'close') void close().then(() => process.exit(0));
});
