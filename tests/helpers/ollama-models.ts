import { createHash } from 'node:crypto';
import type http from 'node:http';
import { fullName as full, MODEL_DETAILS, sendJson as send, splitAwkwardly } from './ollama-standin.js';

/**
 * The model routes of the Ollama stand-in, as Ollama answers them: /api/pull
 * streamed (status lines, per-digest total/completed, the closing
 * "verifying sha256 digest", "writing manifest", "success"; errors as
 * `{"error": …}` lines), /api/show, DELETE /api/delete, and /api/generate
 * for load and `keep_alive: 0`. A cancelled pull keeps its bytes, so the
 * next pull of the same model resumes from them, as Ollama's does.
 */

export interface PullSettings {
  /** Layer sizes of every model the registry knows, bytes (default: a 2 GB model and three small files). */
  layers?: number[];
  /** Progress lines per layer. */
  steps?: number;
  /** Pause between lines, ms (0: as fast as the socket takes them). */
  delayMs?: number;
  /** Lines per second instead, sent in batches of a hundredth of a second's worth (the bench's 10 000/s). */
  linesPerSecond?: number;
  /** Names the registry does not know: their pull ends with Ollama's own error line. */
  unknown?: string[];
  /** After this many progress lines, an `{"error": …}` line ends the stream. */
  errorAfter?: { lines: number; error: string };
  /** After this many progress lines the socket is destroyed, mid-line. */
  cutAfter?: number;
  /** Cut the bytes mid-line and mid-character, never at a newline. */
  splitChunks?: boolean;
}

/** What the stand-in holds: its installed names (as given, `llama3.2` or `x:tag`) and what is loaded. */
export interface ModelShelf {
  installed(): string[];
  add(name: string): void;
  remove(name: string): boolean;
  readonly loaded: Map<string, number>;
}

export interface ShowSettings {
  /** `<arch>.context_length` in model_info. */
  contextLength?: number;
  /** A `num_ctx` line in the Modelfile parameters. */
  numCtx?: number;
  /** `capabilities` by model name (as given, `llava` or `x:tag`); others say completion and tools. */
  capabilities?: Readonly<Record<string, readonly string[]>>;
}

export const DEFAULT_LAYERS = [2_019_377_376, 11_340, 6_016, 560];

const json = (v: unknown) => `${JSON.stringify(v)}\n`;

function digestOf(model: string, layer: number): string {
  return `sha256:${createHash('sha256')
    .update(`${full(model)}#${layer}`)
    .digest('hex')}`;
}

export class StandInModels {
  pull: PullSettings = {};
  show: ShowSettings = {};
  /** Bytes kept per blob: what a cancelled or cut pull leaves for the next. */
  readonly kept = new Map<string, number>();
  /** Pull streams the client closed before their end (a Cancel). */
  pullsCancelled = 0;
  /** Pull lines written, over every pull (the bench's lines in). */
  linesWritten = 0;
  readonly #shelf: ModelShelf;

  constructor(shelf: ModelShelf) {
    this.#shelf = shelf;
  }

  #has(model: string): boolean {
    return this.#shelf.installed().some((m) => full(m) === full(model));
  }

  async handlePull(body: Record<string, unknown>, res: http.ServerResponse): Promise<void> {
    const name = typeof body.model === 'string' ? body.model : typeof body.name === 'string' ? body.name : '';
    if (!name) return send(res, 400, { error: 'model is required' });
    const s = this.pull;
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    let gone = false;
    res.on('close', () => {
      if (!res.writableEnded) {
        gone = true;
        this.pullsCancelled++;
      }
    });
    const batch = s.linesPerSecond ? Math.max(1, Math.round(s.linesPerSecond / 100)) : 1;
    const startedAt = Date.now();
    let written = 0;
    // Paced by the clock, not by the timer: a late timer is made up by the next batch.
    const pause = (): number => (s.linesPerSecond ? startedAt + (written / s.linesPerSecond) * 1000 - Date.now() : (s.delayMs ?? 0));
    let pending: string[] = [];
    const flush = async (): Promise<boolean> => {
      if (gone) return false;
      const bytes = Buffer.from(pending.join(''));
      written += pending.length;
      this.linesWritten += pending.length;
      pending = [];
      for (const piece of s.splitChunks ? splitAwkwardly(bytes) : [bytes]) res.write(piece);
      const ms = pause();
      await new Promise((r) => (ms > 0 ? setTimeout(r, ms) : setImmediate(r)));
      return !gone;
    };
    const line = async (v: unknown): Promise<boolean> => {
      pending.push(json(v));
      return pending.length >= batch ? flush() : !gone;
    };

    if (!(await line({ status: 'pulling manifest' }))) return;
    if (s.unknown?.some((u) => full(u) === full(name))) {
      pending.push(json({ error: 'pull model manifest: file does not exist' }));
      await flush();
      return void res.end();
    }
    let sent = 0;
    const layers = s.layers ?? DEFAULT_LAYERS;
    const steps = Math.max(1, s.steps ?? 20);
    for (let i = 0; i < layers.length; i++) {
      const digest = digestOf(name, i);
      const total = layers[i]!;
      const status = `pulling ${digest.slice(7, 19)}`;
      // As Ollama: the first line names the layer's total before any byte has come.
      if (!(await line({ status, digest, total }))) return;
      const from = Math.min(this.kept.get(digest) ?? 0, total);
      for (let k = 1; k <= steps; k++) {
        const completed = Math.round(from + ((total - from) * k) / steps);
        this.kept.set(digest, completed);
        sent++;
        if (s.cutAfter !== undefined && sent > s.cutAfter) {
          await flush();
          // Half a line, then the connection drops.
          res.write('{"status":"pulling');
          return void res.destroy();
        }
        if (s.errorAfter && sent > s.errorAfter.lines) {
          pending.push(json({ error: s.errorAfter.error }));
          await flush();
          return void res.end();
        }
        if (!(await line({ status, digest, total, completed }))) return;
      }
    }
    for (const status of ['verifying sha256 digest', 'writing manifest', 'success']) if (!(await line({ status }))) return;
    await flush();
    if (gone) return;
    this.#shelf.add(name);
    res.end();
  }

  handleShow(body: Record<string, unknown>, res: http.ServerResponse): void {
    const name = typeof body.model === 'string' ? body.model : '';
    if (!this.#has(name)) return send(res, 404, { error: `model '${name}' not found` });
    const ctx = this.show.contextLength ?? 131_072;
    send(res, 200, {
      license: 'LLAMA 3.2 COMMUNITY LICENSE AGREEMENT',
      modelfile: `FROM ${full(name)}`,
      parameters: ['stop "<|eot_id|>"', ...(this.show.numCtx ? [`num_ctx ${this.show.numCtx}`] : [])].join('\n'),
      template: '{{ .Prompt }}',
      details: MODEL_DETAILS,
      model_info: {
        'general.architecture': 'llama',
        'general.parameter_count': 3_212_749_888,
        'llama.context_length': ctx,
        'llama.embedding_length': 3072,
      },
      capabilities: Object.entries(this.show.capabilities ?? {}).find(([m]) => full(m) === full(name))?.[1] ?? ['completion', 'tools'],
      modified_at: '2025-01-01T00:00:00Z',
    });
  }

  handleDelete(body: Record<string, unknown>, res: http.ServerResponse): void {
    const name = typeof body.model === 'string' ? body.model : '';
    if (!this.#shelf.remove(name)) return send(res, 404, { error: `model '${name}' not found` });
    res.writeHead(200, { 'content-length': 0 });
    res.end();
  }

  /** An empty /api/generate loads the model; with `keep_alive: 0` it unloads it. */
  handleGenerate(body: Record<string, unknown>, res: http.ServerResponse): void {
    const name = typeof body.model === 'string' ? body.model : '';
    if (!this.#has(name)) return send(res, 404, { error: `model "${name}" not found, try pulling it first` });
    const unload = body.keep_alive === 0 || body.keep_alive === '0';
    if (unload) this.#shelf.loaded.delete(full(name));
    else this.#shelf.loaded.set(full(name), Date.now());
    send(res, 200, {
      model: name,
      created_at: new Date().toISOString(),
      response: '',
      done: true,
      done_reason: unload ? 'unload' : 'load',
    });
  }
}
