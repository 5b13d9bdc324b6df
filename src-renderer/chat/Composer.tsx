import { useImperativeHandle, useRef, useState, type KeyboardEvent, type Ref } from 'react';

export interface ComposerHandle {
  focus(): void;
  setText(text: string): void;
}

interface Props {
  busy: boolean;
  onSend: (text: string) => void | Promise<void>;
  onStop: () => void;
  ref?: Ref<ComposerHandle>;
}

/** The message box: Enter sends, Shift+Enter is a new line, Stop while a reply streams. */
export function Composer({ busy, onSend, onStop, ref }: Props) {
  const [text, setText] = useState('');
  const box = useRef<HTMLTextAreaElement>(null);

  useImperativeHandle(ref, () => ({
    focus: () => box.current?.focus(),
    setText: (t: string) => {
      setText(t);
      box.current?.focus();
    },
  }));

  const send = () => {
    const t = text.trim();
    if (!t || busy) return;
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
      className="composer"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      <textarea
        ref={box}
        aria-label="Message"
        placeholder="Message Vega…  (Enter to send, Shift+Enter for a new line)"
        rows={Math.min(8, Math.max(1, text.split('\n').length))}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
        // eslint-disable-next-line jsx-a11y/no-autofocus -- the chat's message box: opening a conversation is asking to type in it
        autoFocus
      />
      {busy ? (
        <button type="button" className="btn stop" onClick={onStop} title="Stop (Esc)">
          <span className="stop-square" aria-hidden="true" />
          Stop
        </button>
      ) : (
        <button type="submit" className="btn primary" disabled={!text.trim()}>
          Send
        </button>
      )}
    </form>
  );
}
