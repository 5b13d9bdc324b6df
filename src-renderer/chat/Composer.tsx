import { useImperativeHandle, useRef, useState, type KeyboardEvent, type Ref } from 'react';
import { AttachButton } from '../attachments/AttachButton.js';
import { AttachmentChips } from '../attachments/AttachmentChips.js';
import type { AttachmentDraft } from '../attachments/use-attachment-draft.js';
import { useFileDrop } from '../attachments/use-file-drop.js';

export interface ComposerHandle {
  focus(): void;
  setText(text: string): void;
}

interface Props {
  busy: boolean;
  onSend: (text: string) => void | Promise<void>;
  onStop: () => void;
  ref?: Ref<ComposerHandle>;
  /** Files going with the next message (button, drop, paste); without it the box takes text only. */
  attachments?: AttachmentDraft;
}

/** The message box: Enter sends, Shift+Enter is a new line, Stop while a reply streams. */
export function Composer({ busy, onSend, onStop, ref, attachments }: Props) {
  const [text, setText] = useState('');
  const box = useRef<HTMLTextAreaElement>(null);
  const { dragging, handlers: dropHandlers } = useFileDrop((files) => attachments?.add(files));
  const { onPaste, ...onDrag } = dropHandlers;
  const waiting = attachments?.preparing ?? false;

  useImperativeHandle(ref, () => ({
    focus: () => box.current?.focus(),
    setText: (t: string) => {
      setText(t);
      box.current?.focus();
    },
  }));

  const send = () => {
    const t = text.trim();
    if ((!t && !attachments?.ready.length) || busy || waiting) return;
    setText('');
    void onSend(t);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    // An IME composing a character uses Enter to confirm it, not to send.
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      send();
    }
  };

  return (
    <form
      className={`composer${attachments?.chips.length ? ' has-attachments' : ''}${dragging ? ' dropping' : ''}`}
      {...(attachments ? onDrag : {})}
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      {attachments && <AttachmentChips draft={attachments} />}
      {attachments && <AttachButton onFiles={attachments.add} />}
      <textarea
        ref={box}
        aria-label="Message"
        placeholder="Message Vega…  (Enter to send, Shift+Enter for a new line)"
        rows={Math.min(8, Math.max(1, text.split('\n').length))}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
        onPaste={attachments ? onPaste : undefined}
        // eslint-disable-next-line jsx-a11y/no-autofocus -- the chat's message box: opening a conversation is asking to type in it
        autoFocus
      />
      {busy ? (
        <button type="button" className="btn stop" onClick={onStop} title="Stop (Esc)">
          <span className="stop-square" aria-hidden="true" />
          Stop
        </button>
      ) : (
        <button
          type="submit"
          className="btn primary"
          disabled={(!text.trim() && !attachments?.ready.length) || waiting}
          title={waiting ? 'Waiting for the attachments' : undefined}
        >
          Send
        </button>
      )}
    </form>
  );
}
