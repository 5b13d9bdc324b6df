import type { VegaApi } from '../../src-shared/api.js';
import { pullFinished, type PullProgress } from '../../src-shared/models.js';
import { startOllamaStandIn, type OllamaStandIn, type OllamaStandInOptions } from '../helpers/ollama-standin.js';
import { eventually } from '../helpers/servers.js';
import { tempWebHost, type TempWebHost } from '../helpers/web.js';
import { connectApi } from '../helpers/ws-client.js';

/** The web host in-process over an Ollama stand-in, and a window's WebSocket client recording every pull event. */
export interface ModelsHarness {
  readonly ollama: OllamaStandIn;
  readonly web: TempWebHost;
  readonly api: VegaApi;
  readonly events: PullProgress[];
  /** Resolves with the pull's final event (done, failed or cancelled). */
  finished(name: string, ms?: number): Promise<PullProgress>;
  close(): Promise<void>;
}

export async function modelsHarness(opts: OllamaStandInOptions = {}, envText = ''): Promise<ModelsHarness> {
  const ollama = await startOllamaStandIn({ models: [], ...opts });
  const web = await tempWebHost(`OLLAMA_HOST=${ollama.url}\n${envText}`);
  const client = await connectApi(web.host.url, web.key);
  const events: PullProgress[] = [];
  client.api.models.onProgress((p) => events.push(p));
  return {
    ollama,
    web,
    api: client.api,
    events,
    async finished(name, ms = 10_000) {
      const end = (): PullProgress | undefined => events.findLast((e) => e.name === name && pullFinished(e.state));
      await eventually(() => end() !== undefined, ms, `the pull of ${name} to finish`);
      return end()!;
    },
    async close() {
      await client.close();
      await web.dispose();
      await ollama.close();
    },
  };
}
