import { useRef, useState, type ComponentProps } from 'react';
import type { ExtraProps } from 'react-markdown';
import { Icon } from '../app/Icon.js';

/** Copy to the clipboard; the older execCommand path covers contexts without the async API. */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // Fall through to the selection path.
  }
  const ta = document.createElement('textarea');
  ta.value = text;
  ta.setAttribute('readonly', '');
  ta.style.position = 'fixed';
  ta.style.opacity = '0';
  document.body.appendChild(ta);
  ta.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  ta.remove();
  return ok;
}

function languageOf(node: ExtraProps['node']): string {
  const code = node?.children[0];
  if (!code || code.type !== 'element') return '';
  const cls = code.properties.className;
  const list: string[] = Array.isArray(cls) ? cls.map(String) : cls ? String(cls).split(' ') : [];
  return list.find((c) => c.startsWith('language-'))?.slice('language-'.length) ?? '';
}

/** A fenced code block with its language and a Copy button. */
export function CodeBlock({ node, children, ...rest }: ComponentProps<'pre'> & ExtraProps) {
  const pre = useRef<HTMLPreElement>(null);
  const [copied, setCopied] = useState(false);
  const lang = languageOf(node);
  const copy = async () => {
    if (await copyText(pre.current?.textContent ?? '')) {
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    }
  };
  return (
    <div className="code-block">
      <div className="code-head">
        <span className="code-lang">{lang || 'code'}</span>
        <button type="button" className="code-copy" onClick={() => void copy()} aria-label={copied ? 'Copied' : 'Copy code'}>
          <Icon name={copied ? 'check' : 'copy'} size={14} />
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
      {/* Focusable: a long line scrolls sideways, and keyboard users must be able to scroll it. */}
      <pre ref={pre} tabIndex={0} {...rest}>
        {children}
      </pre>
    </div>
  );
}
