import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { VegaApi } from '../../src-shared/api.js';
import { MAX_ATTACHMENTS_PER_MESSAGE, UPLOAD_MAX_MB_CAP } from '../../src-shared/attachment-limits.js';
import type { AttachmentRef } from '../../src-shared/attachments.js';
import type { VegaErrorValue } from '../../src-shared/errors.js';
import { errorValue } from '../api/errors.js';
import { prepareFile, toBase64 } from './image-prep.js';

/** One file on its way into the next message, as its chip shows it. */
export type Chip =
  | { readonly key: number; readonly name: string; readonly size: number; readonly state: 'preparing' }
  | { readonly key: number; readonly name: string; readonly size: number; readonly state: 'ready'; readonly ref: AttachmentRef }
  | { readonly key: number; readonly name: string; readonly size: number; readonly state: 'error'; readonly error: VegaErrorValue };

export interface AttachmentDraft {
  readonly chips: readonly Chip[];
  /** Any chip still being read, scaled or stored: sending waits for it. */
  readonly preparing: boolean;
  /** What the next message carries: the ready chips (those with an error are left out, their message shown). */
  readonly ready: readonly AttachmentRef[];
  readonly add: (files: Iterable<File>) => void;
  readonly remove: (key: number) => void;
  /** After a message went out with them. */
  readonly clear: () => void;
}

const TOO_MANY: VegaErrorValue = {
  code: 'BAD_REQUEST',
  message: `A message takes at most ${MAX_ATTACHMENTS_PER_MESSAGE} attachments; remove one to add another.`,
};

// Past what any host accepts, a file is not even read: the host would refuse it, after the window had held it whole.
const MAX_FILE_BYTES = UPLOAD_MAX_MB_CAP * 1024 * 1024;
const tooLarge = (name: string): VegaErrorValue => ({
  code: 'attachment_too_large',
  message: `${name} is larger than Vega ever accepts (${UPLOAD_MAX_MB_CAP} MB, the most VEGA_UPLOAD_MAX_MB may be).`,
});

/**
 * The attachments of the message being written. Each file is prepared
 * (images scaled, thumbnails made) and stored by the engine one at a time,
 * so a dozen photos dropped at once never hold a dozen decoded bitmaps.
 */
export function useAttachmentDraft(api: VegaApi): AttachmentDraft {
  const [chips, setChips] = useState<readonly Chip[]>([]);
  const nextKey = useRef(1);
  const queue = useRef<Promise<void>>(Promise.resolve());
  // The chips as last set, and the keys still to be stored: read by callbacks that must not wait for a render.
  const live = useRef<readonly Chip[]>([]);
  const pending = useRef(new Set<number>());
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const settle = useCallback((key: number, next: (c: Chip) => Chip) => {
    if (!pending.current.delete(key) || !mounted.current) return;
    live.current = live.current.map((c) => (c.key === key ? next(c) : c));
    setChips(live.current);
  }, []);

  const store = useCallback(
    async (key: number, file: File) => {
      try {
        const prepared = await prepareFile(file);
        const [data, thumbnail] = await Promise.all([
          toBase64(prepared.data),
          prepared.thumbnail ? toBase64(prepared.thumbnail) : undefined,
        ]);
        const { ref } = await api.attachments.add({ name: file.name || 'pasted', data, ...(thumbnail ? { thumbnail } : {}) });
        settle(key, (c) => ({ key, name: c.name, size: c.size, state: 'ready', ref }));
      } catch (err) {
        settle(key, (c) => ({ key, name: c.name, size: c.size, state: 'error', error: errorValue(err) }));
      }
    },
    [api, settle],
  );

  const add = useCallback(
    (files: Iterable<File>) => {
      let room = MAX_ATTACHMENTS_PER_MESSAGE - live.current.filter((c) => c.state !== 'error').length;
      const fresh: Chip[] = [];
      for (const file of files) {
        const key = nextKey.current++;
        const name = file.name || 'pasted';
        if (file.size > MAX_FILE_BYTES) {
          fresh.push({ key, name, size: file.size, state: 'error', error: tooLarge(name) });
          continue;
        }
        if (room-- <= 0) {
          fresh.push({ key, name, size: file.size, state: 'error', error: TOO_MANY });
          continue;
        }
        fresh.push({ key, name, size: file.size, state: 'preparing' });
        pending.current.add(key);
        // Skipped if its chip was removed before its turn.
        queue.current = queue.current.then(() => (pending.current.has(key) ? store(key, file) : undefined));
      }
      live.current = [...live.current, ...fresh];
      setChips(live.current);
    },
    [store],
  );

  const remove = useCallback((key: number) => {
    pending.current.delete(key);
    live.current = live.current.filter((c) => c.key !== key);
    setChips(live.current);
  }, []);
  const clear = useCallback(() => {
    pending.current.clear();
    live.current = [];
    setChips(live.current);
  }, []);

  return useMemo(() => {
    const ready = chips.flatMap((c) => (c.state === 'ready' ? [c.ref] : []));
    return { chips, preparing: chips.some((c) => c.state === 'preparing'), ready, add, remove, clear };
  }, [chips, add, remove, clear]);
}
