import { useEffect, useState } from 'react';
import type { VegaApi } from '../../src-shared/api.js';
import { IMAGE_MIMES } from '../../src-shared/attachment-limits.js';
import type { AttachmentVariant } from '../../src-shared/attachments.js';
import { fromBase64 } from './image-prep.js';

const RASTER: ReadonlySet<string> = new Set(IMAGE_MIMES);

/**
 * An image of a stored attachment as a blob: URL, fetched when shown and
 * revoked when it goes. Only the raster types the engine decided by
 * content are ever put in an <img>; anything else (SVG above all) is not.
 */
export function useAttachmentImage(api: VegaApi, id: string, variant: AttachmentVariant): { url: string | null; failed: boolean } {
  const [state, setState] = useState<{ url: string | null; failed: boolean }>({ url: null, failed: false });
  useEffect(() => {
    let url: string | null = null;
    let live = true;
    api.attachments.get({ id, variant }).then(
      (file) => {
        if (!live) return;
        if (!RASTER.has(file.mime)) return setState({ url: null, failed: true });
        url = URL.createObjectURL(fromBase64(file.data, file.mime));
        setState({ url, failed: false });
      },
      () => live && setState({ url: null, failed: true }),
    );
    return () => {
      live = false;
      if (url) URL.revokeObjectURL(url);
    };
  }, [api, id, variant]);
  return state;
}
