/**
 * The web host alone in a child process, so the CPU it spends being scraped
 * is measured apart from the client that scrapes it. Sends `{port, key}`
 * once listening; answers "cpu" with its process.cpuUsage(); "close" ends it.
 */
import { startApp } from './app.js';

const app = await startApp('http://127.0.0.1:9');
const send = (m: unknown) => process.send?.(m);
process.on('message', (m: string) => {
  if (m === 'cpu') send({ cpu: process.cpuUsage() });
  if (m === 'close') void app.close().then(() => process.exit(0));
});
send({ port: app.host.port, key: app.host.apiKey });
