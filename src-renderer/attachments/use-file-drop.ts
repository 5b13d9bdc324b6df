import { useRef, useState, type ClipboardEvent, type DragEvent } from 'react';

const carriesFiles = (e: DragEvent) => e.dataTransfer.types.includes('Files');

/**
 * Files dropped on the composer or pasted into it (a screenshot, a copied
 * file). `dragging` is true while files are held over it, for a visible
 * drop target; text dragged or pasted keeps its usual behaviour.
 */
export function useFileDrop(onFiles: (files: File[]) => void) {
  const [dragging, setDragging] = useState(false);
  // enter/leave fire for every child crossed: count them so the target does not flicker.
  const depth = useRef(0);
  const reset = () => {
    depth.current = 0;
    setDragging(false);
  };
  return {
    dragging,
    handlers: {
      onDragEnter: (e: DragEvent) => {
        if (!carriesFiles(e)) return;
        e.preventDefault();
        depth.current++;
        setDragging(true);
      },
      onDragOver: (e: DragEvent) => {
        if (!carriesFiles(e)) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
      },
      onDragLeave: (e: DragEvent) => {
        if (!carriesFiles(e)) return;
        depth.current = Math.max(0, depth.current - 1);
        if (depth.current === 0) setDragging(false);
      },
      onDrop: (e: DragEvent) => {
        if (!carriesFiles(e)) return;
        e.preventDefault();
        reset();
        onFiles([...e.dataTransfer.files]);
      },
      onPaste: (e: ClipboardEvent) => {
        const files = [...e.clipboardData.files];
        if (files.length === 0) return;
        // Copied from a document, the text comes with a picture of it: the text is what was meant to be pasted too.
        if (!e.clipboardData.types.includes('text/plain')) e.preventDefault();
        onFiles(files);
      },
    },
  };
}
