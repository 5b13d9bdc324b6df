import {
  AttachmentRefSchema,
  base64Bytes,
  MAX_EXTRACTED_CHARS,
  type AttachmentData,
  type AttachmentFile,
  type AttachmentRef,
  type AttachmentVariant,
} from '../../src-shared/attachments.js';
import type { ProviderId } from '../../src-shared/chat.js';
import { rasterType } from '../../src-shared/raster-type.js';
import { VegaError } from '../../src-shared/errors.js';
import { estimateTokens, historyBudget } from '../../src-shared/models.js';
import type { Logger } from '../engine/logger.js';
import type { LlmImage, LlmMessage } from '../providers/llm.js';
import { BLOCK_OVERHEAD_TOKENS, documentBlock, documentLabel, tokensOf } from './document-block.js';
import { DEFAULT_BOUNDS, defaultWorkerFile, extractInWorker, type ExtractBounds, type WorkerFile } from './extract.js';
import { AttachmentStore, sha256, type StoredMeta } from './store.js';

/** What the attachments need to know of the models: what one can do, and which are installed. */
export interface ModelFacts {
  /** Ollama's /api/show capabilities (cached per model by the models service). */
  capabilities(model: string): Promise<readonly string[]>;
  /** Installed Ollama models. */
  installed(): Promise<readonly string[]>;
  /** The window a conversation without its own `num_ctx` has; null where unknown. */
  contextLimit(provider: ProviderId, model: string): Promise<number | null>;
}

export interface AttachmentServiceOptions {
  readonly store: AttachmentStore;
  readonly models: ModelFacts;
  readonly logger: Logger;
  /** VEGA_UPLOAD_MAX_MB in bytes: per message, and so per file. */
  readonly maxBytes: number;
  readonly bounds?: Partial<ExtractBounds>;
  readonly workerFile?: WorkerFile;
  /** Extraction workers at once (2): each may hold its heap bound. */
  readonly concurrency?: number;
}

/** Where a message goes: the model, and its window. */
export interface SendTarget {
  readonly provider: ProviderId;
  readonly model: string;
  readonly numCtx?: number;
}

/** What the chat service asks of attachments (it knows nothing else of them). */
export interface ChatAttachments {
  /**
   * The references a message about to be sent carries, checked before
   * anything is saved or sent: images only to a model that can see, the
   * documents within the window (or cut to fit with `includeFirstPart`).
   */
  prepare(
    p: SendTarget & { conversationId: string; ids: readonly string[]; text: string; includeFirstPart?: boolean },
  ): Promise<AttachmentRef[]>;
  /** The history as the model reads it: documents as text blocks, images as `images`. */
  expand(messages: readonly LlmMessage[], target: SendTarget): Promise<LlmMessage[]>;
  /** A conversation was deleted: its files go unless another conversation holds them. */
  released(conversationId: string): Promise<void>;
  /** The files of these references, for a JSON export. */
  files(refs: readonly AttachmentRef[]): Promise<Map<string, AttachmentFile>>;
}

/** A name for display and export: no folders, no control characters. */
export function displayName(name: string): string {
  const base =
    name
      // eslint-disable-next-line no-control-regex -- control characters are what is removed
      .replace(/[\u0000-\u001f\u007f]/g, '')
      .split(/[\\/]/)
      .pop() ?? '';
  return base.trim().slice(0, 255) || 'file';
}

/**
 * Files attached to messages: typed by content and read in a bounded worker
 * when added (so the window shows ready or an error before sending), stored
 * once per content, and turned into what the model reads at each turn.
 */
export class AttachmentService implements ChatAttachments {
  readonly store: AttachmentStore;
  readonly #o: AttachmentServiceOptions;
  readonly #bounds: ExtractBounds;
  readonly #workerFile: WorkerFile;
  #running = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(o: AttachmentServiceOptions) {
    this.store = o.store;
    this.#o = o;
    this.#bounds = { ...DEFAULT_BOUNDS, ...o.bounds };
    this.#workerFile = o.workerFile ?? defaultWorkerFile();
  }

  get maxBytes(): number {
    return this.#o.maxBytes;
  }

  /** The limit as the person reads it, with the setting that changes it. */
  limitText(): string {
    return `${this.#o.maxBytes / 1024 / 1024} MB per message (VEGA_UPLOAD_MAX_MB)`;
  }

  async add(p: { name: string; data: AttachmentData; thumbnail?: AttachmentData }): Promise<AttachmentRef> {
    const name = displayName(p.name);
    const size = typeof p.data === 'string' ? base64Bytes(p.data) : p.data.length;
    if (size === 0) throw new VegaError('attachment_empty', `${name} is empty (0 bytes).`);
    if (size > this.#o.maxBytes)
      throw new VegaError('attachment_too_large', `${name} is ${(size / 1024 / 1024).toFixed(1)} MB; the limit is ${this.limitText()}.`);
    const bytes = bytesOf(p.data);
    const thumb = p.thumbnail ? bytesOf(p.thumbnail) : undefined;
    const thumbnail = thumb && rasterType(thumb) ? thumb : undefined;
    const id = sha256(bytes);
    let meta = await this.store.meta(id);
    if (meta) {
      meta = { ...meta, name };
      await this.store.touch(id, meta, meta.kind === 'image' ? thumbnail : undefined);
    } else {
      const r = await this.#limited(() => extractInWorker({ bytes, maxChars: MAX_EXTRACTED_CHARS }, this.#bounds, this.#workerFile));
      if (!r.ok) {
        this.#o.logger.info({ attachment: id, code: r.code }, `Attachment refused: ${r.message}`);
        throw new VegaError(r.code, `${name}: ${r.message}`);
      }
      meta =
        r.kind === 'image'
          ? { name, kind: 'image', mime: r.mime, size: bytes.length, width: r.width, height: r.height }
          : { name, kind: 'document', mime: r.mime, size: bytes.length, chars: r.text.length, ...(r.cut ? { cut: true } : {}) };
      await this.store.save(id, bytes, meta, r.kind === 'document' ? { text: r.text } : { thumbnail });
    }
    return refOf(id, meta);
  }

  async get(id: string, variant: AttachmentVariant): Promise<AttachmentFile> {
    const meta = await this.store.meta(id);
    if (!meta) throw notFound();
    if (variant === 'thumbnail') {
      if (meta.kind !== 'image') throw new VegaError('attachment_not_found', 'A document has no thumbnail.');
      const thumb = await this.store.read(id, 'thumbnail');
      const mime = thumb && rasterType(thumb);
      if (thumb && mime) return { mime, data: thumb.toString('base64') };
    }
    const file = await this.store.read(id, 'file');
    if (!file) throw notFound();
    return { mime: meta.mime, data: file.toString('base64') };
  }

  async prepare(
    p: SendTarget & { conversationId: string; ids: readonly string[]; text: string; includeFirstPart?: boolean },
  ): Promise<AttachmentRef[]> {
    const found = await Promise.all(
      [...new Set(p.ids)].map(async (id) => {
        const meta = await this.store.meta(id);
        if (!meta) throw notFound();
        return { id, meta };
      }),
    );
    const refs = found.map(({ id, meta }) => refOf(id, meta));
    if (refs.some((r) => r.kind === 'image') && !(await this.#canSee(p))) {
      const visionModels = await this.#visionModels();
      throw new VegaError(
        'model_cannot_see',
        `${p.model} cannot see images.${visionModels.length ? ` Models installed that can: ${visionModels.join(', ')}.` : ' No installed model can; pull one with vision (llava, gemma3, qwen2.5vl…).'}`,
        { details: { visionModels } },
      );
    }
    const fitted = await this.#fit(refs, p);
    await this.store.hold(
      p.conversationId,
      fitted.map((r) => r.id),
    );
    return fitted;
  }

  async expand(messages: readonly LlmMessage[], target: SendTarget): Promise<LlmMessage[]> {
    if (!messages.some((m) => m.attachments?.length)) return [...messages];
    const canSee = await this.#canSee(target);
    return Promise.all(
      messages.map(async (m) => {
        if (!m.attachments?.length) return m;
        const { attachments, ...rest } = m;
        const blocks: string[] = [];
        const images: LlmImage[] = [];
        for (const raw of attachments) {
          // References come back from a history file: checked like any other input before their id names a file.
          const parsed = AttachmentRefSchema.safeParse(raw);
          if (!parsed.success) continue;
          const ref = parsed.data;
          if (ref.kind === 'image') {
            const file = canSee ? await this.store.read(ref.id, 'file') : null;
            if (file) images.push({ mime: ref.mime, base64: file.toString('base64') });
            else blocks.push(`[image ${ref.name}: ${canSee ? 'no longer stored' : `not shown, ${target.model} cannot see images`}]`);
            continue;
          }
          const text = await this.store.read(ref.id, 'text');
          blocks.push(
            text === null
              ? `[file ${ref.name}: no longer stored]`
              : documentBlock(ref.name, documentLabel(ref.mime, ref.name), text.toString('utf8'), ref.truncatedTo),
          );
        }
        const content = [rest.content, ...blocks].filter(Boolean).join('\n\n');
        return { ...rest, content, ...(images.length ? { images } : {}) };
      }),
    );
  }

  async released(conversationId: string): Promise<void> {
    try {
      const removed = await this.store.release(conversationId);
      if (removed.length)
        this.#o.logger.debug({ conversationId, removed: removed.length }, 'Attachments of a deleted conversation removed');
    } catch (err) {
      // The conversation is gone either way; its files are collected at the next start.
      this.#o.logger.warn({ err, conversationId }, 'Could not remove the attachments of a deleted conversation');
    }
  }

  async files(refs: readonly AttachmentRef[]): Promise<Map<string, AttachmentFile>> {
    const out = new Map<string, AttachmentFile>();
    for (const raw of refs) {
      const ref = AttachmentRefSchema.safeParse(raw);
      if (!ref.success || out.has(ref.data.id)) continue;
      const file = await this.store.read(ref.data.id, 'file');
      if (file) out.set(ref.data.id, { mime: ref.data.mime, data: file.toString('base64') });
    }
    return out;
  }

  async #canSee(t: SendTarget): Promise<boolean> {
    // An OpenAI-compatible server says nothing of what its model can do: images are sent, and a server that cannot take them answers so.
    if (t.provider !== 'ollama') return true;
    try {
      return (await this.#o.models.capabilities(t.model)).includes('vision');
    } catch {
      // Ollama did not answer: the turn itself reports that, better than a guess here.
      return true;
    }
  }

  async #visionModels(): Promise<string[]> {
    const names = await this.#o.models.installed().catch(() => [] as readonly string[]);
    const seeing = await Promise.all(
      names
        .slice(0, 100)
        .map(async (n) => ((await this.#o.models.capabilities(n).catch((): readonly string[] => [])).includes('vision') ? n : null)),
    );
    return seeing.filter((n): n is string => n !== null);
  }

  /** The documents within the model's window; cut to fit (first parts) when the person asked for that. */
  async #fit(refs: AttachmentRef[], p: SendTarget & { text: string; includeFirstPart?: boolean }): Promise<AttachmentRef[]> {
    const docs = refs.filter((r) => r.kind === 'document');
    if (!docs.length) return refs;
    const limit = p.numCtx ?? (await this.#o.models.contextLimit(p.provider, p.model).catch(() => null));
    if (!limit) return refs;
    const budget = historyBudget(limit) - estimateTokens(p.text) - BLOCK_OVERHEAD_TOKENS * docs.length;
    const tokens = docs.reduce((n, r) => n + (r.tokens ?? 0), 0);
    if (tokens <= budget) return refs;
    if (!p.includeFirstPart)
      throw new VegaError(
        'attachments_exceed_context',
        `The attached documents come to ~${tokens} tokens, more than the ${limit}-token window of ${p.model} leaves for them (~${Math.max(0, budget)}). Include only their first part, or choose a model with a larger window.`,
        { details: { tokens: tokens + estimateTokens(p.text), contextTokens: limit } },
      );
    let left = Math.max(0, budget);
    return refs.map((r) => {
      if (r.kind !== 'document') return r;
      const take = Math.min(r.tokens ?? 0, left);
      left -= take;
      return take < (r.tokens ?? 0) ? { ...r, truncatedTo: take * 4 } : r;
    });
  }

  async #limited<T>(work: () => Promise<T>): Promise<T> {
    const max = this.#o.concurrency ?? 2;
    while (this.#running >= max) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#running++;
    try {
      return await work();
    } finally {
      this.#running--;
      this.#waiting.shift()?.();
    }
  }
}

function refOf(id: string, meta: StoredMeta): AttachmentRef {
  return {
    id,
    name: meta.name,
    kind: meta.kind,
    mime: meta.mime,
    size: meta.size,
    ...(meta.width ? { width: meta.width, height: meta.height } : {}),
    ...(meta.chars !== undefined ? { tokens: tokensOf(meta.chars) } : {}),
  };
}

function bytesOf(data: AttachmentData): Buffer {
  return typeof data === 'string' ? Buffer.from(data, 'base64') : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

function notFound(): VegaError {
  return new VegaError(
    'attachment_not_found',
    'That attachment is not stored (it was never added, or was removed); attach the file again.',
  );
}
