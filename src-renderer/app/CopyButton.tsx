import { useState } from 'react';
import { copyText } from './clipboard.js';
import { Icon } from './Icon.js';
import { useTimeout } from './use-timeout.js';

/** How long the button says "Copied" after a copy. */
export const COPIED_MS = 1500;

/** A Copy button (of a code block, of a sign-in code) that says "Copied" for a moment when the copy worked. */
export function CopyButton({ text, className, label = 'Copy code' }: { text: () => string; className: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  const later = useTimeout();
  const copy = async () => {
    if (await copyText(text())) {
      setCopied(true);
      later(() => setCopied(false), COPIED_MS);
    }
  };
  return (
    <button type="button" className={className} onClick={() => void copy()} aria-label={copied ? 'Copied' : label}>
      <Icon name={copied ? 'check' : 'copy'} size={14} />
      {copied ? 'Copied' : 'Copy'}
    </button>
  );
}
