import { useRef, useState } from 'react';
import type { AttachmentRef } from '../../src-shared/attachments.js';
import { useApi } from '../api/context.js';
import { bytes } from '../dashboard/format.js';
import { Lightbox } from './Lightbox.js';
import { useAttachmentImage } from './use-attachment-image.js';

const DOC_TYPES: Readonly<Record<string, string>> = {
  'application/pdf': 'PDF',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'DOCX',
  'text/markdown': 'Markdown',
  'text/csv': 'CSV',
  'application/json': 'JSON',
  'text/plain': 'Text',
};

function docType(mime: string): string {
  return DOC_TYPES[mime] ?? mime.split('/').pop()?.toUpperCase() ?? mime;
}

function Thumbnail({ image, onOpen }: { image: AttachmentRef; onOpen: (trigger: HTMLButtonElement) => void }) {
  const { url, failed } = useAttachmentImage(useApi(), image.id, 'thumbnail');
  return (
    <button
      type="button"
      className="attach-thumb"
      aria-label={`Enlarge ${image.name}`}
      title={image.name}
      onClick={(e) => onOpen(e.currentTarget)}
    >
      {url ? <img src={url} alt={image.name} /> : <span className="attach-thumb-empty">{failed ? 'Image unavailable' : 'Loading…'}</span>}
    </button>
  );
}

/** A sent message's files: thumbnails (click to enlarge) and document chips. The bytes are fetched only when shown. */
export function MessageAttachments({ refs }: { refs: readonly AttachmentRef[] }) {
  const [open, setOpen] = useState<AttachmentRef | null>(null);
  const trigger = useRef<HTMLButtonElement | null>(null);
  return (
    <div className="msg-attachments">
      {refs.map((r) =>
        r.kind === 'image' ? (
          <Thumbnail
            key={r.id}
            image={r}
            onOpen={(el) => {
              trigger.current = el;
              setOpen(r);
            }}
          />
        ) : (
          <span key={r.id} className="attach-doc" title={r.name}>
            <span className="attach-name">{r.name}</span>
            <span className="attach-size">
              {docType(r.mime)} · {bytes(r.size)}
              {r.tokens !== undefined && ` · ~${r.tokens.toLocaleString()} tokens`}
              {r.truncatedTo !== undefined && ' · first part'}
            </span>
          </span>
        ),
      )}
      {open && (
        <Lightbox
          image={open}
          onClose={() => {
            setOpen(null);
            trigger.current?.focus();
          }}
        />
      )}
    </div>
  );
}
