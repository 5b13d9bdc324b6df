import { useEffect, useRef } from 'react';
import { createPortal } from 'react-dom';
import type { AttachmentRef } from '../../src-shared/attachments.js';
import { useApi } from '../api/context.js';
import { useAttachmentImage } from './use-attachment-image.js';

/**
 * The full image over the page. A modal dialog: focus moves to its close
 * button and stays inside; Escape or a click outside the image closes it,
 * and the caller puts focus back on the thumbnail.
 */
export function Lightbox({ image, onClose }: { image: AttachmentRef; onClose: () => void }) {
  const { url, failed } = useAttachmentImage(useApi(), image.id, 'file');
  const close = useRef<HTMLButtonElement>(null);
  const onCloseRef = useRef(onClose);
  useEffect(() => {
    onCloseRef.current = onClose;
  });

  useEffect(() => {
    close.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        // Esc also stops a streaming answer in the chat: here it only closes the picture.
        e.preventDefault();
        e.stopImmediatePropagation();
        onCloseRef.current();
      } else if (e.key === 'Tab') {
        // The close button is the one control: Tab stays on it.
        e.preventDefault();
        close.current?.focus();
      }
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, []);

  // On the body: inside the message list a transformed ancestor would make `position: fixed` relative to it.
  return createPortal(
    <div className="lightbox" role="dialog" aria-modal="true" aria-label={image.name}>
      {/* A click beside the picture closes it, as in every image viewer; the keyboard has Escape and the button. */}
      {/* eslint-disable-next-line jsx-a11y/click-events-have-key-events, jsx-a11y/no-static-element-interactions */}
      <div className="lightbox-backdrop" onClick={onClose} />
      <figure className="lightbox-body">
        {url ? <img src={url} alt={image.name} /> : <p className="muted">{failed ? 'The image could not be loaded.' : 'Loading…'}</p>}
        <figcaption>
          {image.name}
          {image.width && image.height ? ` · ${image.width} × ${image.height}` : ''}
        </figcaption>
      </figure>
      <button ref={close} type="button" className="btn lightbox-close" onClick={onClose}>
        Close
      </button>
    </div>,
    document.body,
  );
}
