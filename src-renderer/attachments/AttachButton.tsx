import { useRef } from 'react';
import { Icon } from '../app/Icon.js';

/** The paper-clip: a file picker, any number of files at once. */
export function AttachButton({ onFiles, disabled }: { onFiles: (files: File[]) => void; disabled?: boolean }) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <input
        ref={input}
        type="file"
        multiple
        className="sr-only"
        tabIndex={-1}
        aria-label="Attach files"
        onChange={(e) => {
          onFiles([...(e.target.files ?? [])]);
          // The same file picked again is a new attachment, not "no change".
          e.target.value = '';
        }}
      />
      <button
        type="button"
        className="icon-btn attach-btn"
        aria-label="Attach files"
        title="Attach files (or drop or paste them here)"
        disabled={disabled}
        onClick={() => input.current?.click()}
      >
        <Icon name="clip" size={18} />
      </button>
    </>
  );
}
