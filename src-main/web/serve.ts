// `npm run serve`: the engine and the web host in plain Node.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createVegaApp } from '../app/create-app.js';
import { startWebHost } from './host.js';

function rendererDir(): string | undefined {
  // Bundled: out/web/serve.mjs beside out/renderer; from source: src-main/web.
  for (const rel of ['../renderer/', '../../out/renderer/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(`${dir}/index.html`)) return dir.replace(/\/$/, '');
  }
  return undefined;
}

function openBrowser(url: string): void {
  if (process.env.VEGA_OPEN_BROWSER !== '1' || process.env.BROWSER === 'none') return;
  const [cmd, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '', url]]
        : ['xdg-open', [url]];
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return;
  try {
    spawn(cmd, args, { stdio: 'ignore', detached: true })
      .on('error', () => undefined)
      .unref();
  } catch {
    // No browser to open: the address is printed above.
  }
}

async function main(): Promise<void> {
  // SIGINT/SIGTERM start the app's one bounded quit, whose cleanup also closes the web host.
  const app = await createVegaApp({ host: 'web', console: true, signals: process });
  const staticDir = rendererDir();
  const host = await startWebHost({ app, staticDir });
  const open = `${host.url}/?token=${host.apiKey}`;
  // Printed, not logged: the log file never holds the key.
  process.stdout.write(
    `\nVega web host listening on ${host.url}\n` +
      (staticDir ? `  Open the app:  ${open}\n` : '  (The window is not built: run `npm run build` for the UI.)\n') +
      `  Admin API key: ${host.keyGenerated ? `${host.apiKey} (generated for this run; set VEGA_API_KEY to keep one)` : 'VEGA_API_KEY'}\n\n`,
  );
  if (staticDir) openBrowser(open);
}

main().catch((err: unknown) => {
  process.stderr.write(`Vega could not start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
