import { useRef, type ComponentProps } from 'react';
import type { ExtraProps } from 'react-markdown';
import { CopyButton } from '../app/CopyButton.js';

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
  const lang = languageOf(node);
  return (
    <div className="code-block">
      <div className="code-head">
        <span className="code-lang">{lang || 'code'}</span>
        <CopyButton className="code-copy" text={() => pre.current?.textContent ?? ''} />
      </div>
      {/* Focusable: a long line scrolls sideways, and keyboard users must be able to scroll it. */}
      <pre ref={pre} tabIndex={0} {...rest}>
        {children}
      </pre>
    </div>
  );
}
