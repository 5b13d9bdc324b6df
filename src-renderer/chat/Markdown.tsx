import { memo } from 'react';
import ReactMarkdown, { type Components } from 'react-markdown';
import rehypeHighlight from 'rehype-highlight';
import remarkGfm from 'remark-gfm';
import { CodeBlock } from './CodeBlock.js';

// No rehype-raw, on purpose: a model's answer is untrusted text, and raw HTML
// in it (a <script>, an <img onerror>) must never become DOM. react-markdown
// drops such nodes; its default urlTransform drops javascript: links.
const remarkPlugins = [remarkGfm];
const rehypePlugins: NonNullable<Parameters<typeof ReactMarkdown>[0]['rehypePlugins']> = [[rehypeHighlight, { detect: false }]];

const components: Components = {
  pre: CodeBlock,
  a: ({ node: _node, children, ...props }) => (
    <a {...props} target="_blank" rel="noreferrer noopener">
      {children}
    </a>
  ),
};

/** Memoised on the text: while one message streams, the others do not re-parse. */
export const Markdown = memo(function Markdown({ text }: { text: string }) {
  return (
    <div className="md">
      <ReactMarkdown remarkPlugins={remarkPlugins} rehypePlugins={rehypePlugins} components={components}>
        {text}
      </ReactMarkdown>
    </div>
  );
});
