import { memo, useMemo, useState } from 'react';
import ReactMarkdown, { type Components } from 'react-markdown';
import rehypeHighlight from 'rehype-highlight';
import remarkGfm from 'remark-gfm';
import { CodeBlock } from './CodeBlock.js';
import { splitBlocks, type BlockSplit } from './markdown-blocks.js';

// No rehype-raw, on purpose: a model's answer is untrusted text, and raw HTML
// in it (a <script>, an <img onerror>) must never become DOM. react-markdown
// drops such nodes; its default urlTransform drops javascript: links.
const remarkPlugins = [remarkGfm];
type RehypePlugins = NonNullable<Parameters<typeof ReactMarkdown>[0]['rehypePlugins']>;
type Highlighter = ReturnType<typeof rehypeHighlight>;
let highlighter: Highlighter | undefined;
// Set up once (while idle, or by the first block that needs it): rehype-highlight registers all of its grammars
// each time it is used, and react-markdown uses its plugins afresh on every render, so every frame paid for that.
const sharedHighlight = (): Highlighter => (highlighter ??= rehypeHighlight({ detect: false }));
const highlighted: RehypePlugins = [sharedHighlight];
const plain: RehypePlugins = [];
/** Only fenced code names a language to highlight (detection is off). */
const FENCED = /```|~~~/;

const components: Components = {
  pre: CodeBlock,
  a: ({ node: _node, children, ...props }) => (
    <a {...props} target="_blank" rel="noreferrer noopener">
      {children}
    </a>
  ),
};

/**
 * One top-level block, memoised on its source: while an answer streams, only
 * the block still growing changes, so the finished ones are parsed once.
 */
const Block = memo(function Block({ source, highlight }: { source: string; highlight: boolean }) {
  return (
    <ReactMarkdown remarkPlugins={remarkPlugins} rehypePlugins={highlight ? highlighted : plain} components={components}>
      {source}
    </ReactMarkdown>
  );
});

/**
 * Run the parser and set up the highlighter once, while the window is idle:
 * their first run compiles (~100 ms of script here), and the first answer's
 * first token would otherwise wait for it.
 */
export function warmMarkdown(): void {
  splitBlocks('Warm *up* with `code` and a [link](https://example.invalid).\n\n- a list\n\n| a | b |\n|---|---|\n| 1 | 2 |\n');
  sharedHighlight();
}

/**
 * A model's answer as Markdown, drawn block by block. Code is highlighted
 * once its closing fence arrives; until then it shows as plain monospace,
 * so a growing block is not re-highlighted on every token.
 */
export const MarkdownBody = memo(function MarkdownBody({ text }: { text: string }) {
  // The last split, kept across renders: a streamed text extends it, and only its tail is lexed again.
  const [memory] = useState<{ last?: BlockSplit }>(() => ({}));
  const split = useMemo(() => (memory.last = splitBlocks(text, memory.last)), [memory, text]);
  return (
    <div className="md">
      {split.blocks.map((b, i) => (
        // Blocks are only ever appended or changed in place: the position is the identity.
        <Block key={i} source={b.source} highlight={!b.openFence && FENCED.test(b.source)} />
      ))}
    </div>
  );
});
