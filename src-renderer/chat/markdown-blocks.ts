import type { Nodes, Root } from 'mdast';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified } from 'unified';

/**
 * A streamed answer cut into its top-level Markdown blocks (paragraphs,
 * fenced code, lists, tables…), so a renderer can draw the finished ones
 * once and redraw only the last while tokens arrive. The lexer is the one
 * react-markdown runs (remark-parse with GFM), so the cuts fall where its
 * own parse would put them.
 */

export interface MarkdownBlock {
  /** The block's own lines, from the start of its first line. */
  readonly source: string;
  /** Holds a fenced code block whose closing fence has not arrived yet. */
  readonly openFence: boolean;
}

export interface BlockSplit {
  readonly text: string;
  readonly blocks: readonly MarkdownBlock[];
  /** Where each block starts in `text` (the start of its first line). */
  readonly starts: readonly number[];
  /** One block for the whole text: it holds a definition, which gives meaning to text in other blocks. */
  readonly whole: boolean;
}

const lexer = unified().use(remarkParse).use(remarkGfm).freeze();

const FENCE = /^(`{3,}|~{3,})/;

/**
 * A definition (`[x]: url`, `[^1]: note`) gives meaning to text in other
 * blocks, so a document holding one cannot be drawn block by block.
 */
function definesAcrossBlocks(node: Nodes): boolean {
  if (node.type === 'definition' || node.type === 'footnoteDefinition') return true;
  return 'children' in node && node.children.some(definesAcrossBlocks);
}

/** A fenced code block inside `node` that runs to the end of `text` without its closing fence. */
function hasOpenFence(node: Nodes, text: string, base: number): boolean {
  if (node.type === 'code') {
    const source = text.slice(base + (node.position?.start.offset ?? 0), base + (node.position?.end.offset ?? 0));
    const opening = FENCE.exec(source)?.[1];
    if (!opening) return false;
    const lines = source.split('\n');
    // The closing line may sit inside a list item or a quote: look past its indent and `>` markers.
    const last = lines[lines.length - 1]!.replace(/^[\s>]*/, '').trimEnd();
    return lines.length < 2 || !new RegExp(`^${opening[0]}{${opening.length},}$`).test(last);
  }
  return 'children' in node && node.children.some((c) => hasOpenFence(c, text, base));
}

const lineStart = (text: string, offset: number) => text.lastIndexOf('\n', offset - 1) + 1;

/** Lex `text` from `from` (the start of a line) and cut what follows into blocks. */
function lexFrom(text: string, from: number): Omit<BlockSplit, 'text'> {
  const tail = text.slice(from);
  const root: Root = lexer.parse(tail);
  const last = root.children.at(-1);
  const openFence = !!last && hasOpenFence(last, text, from);
  if (definesAcrossBlocks(root)) return { blocks: [{ source: text, openFence }], starts: [0], whole: true };
  return {
    blocks: root.children.map((node, i) => ({
      source: text.slice(from + lineStart(tail, node.position?.start.offset ?? 0), from + (node.position?.end.offset ?? tail.length)),
      // Only the last block can still be growing.
      openFence: i === root.children.length - 1 && openFence,
    })),
    starts: root.children.map((node) => from + lineStart(tail, node.position?.start.offset ?? 0)),
    whole: false,
  };
}

/**
 * Cut `text` into blocks. Given the split of an earlier text that this one
 * extends (a stream), only its last block onwards is lexed again, or its last
 * two: in CommonMark a block followed by a whole line of another never
 * changes again. A text holding a definition is lexed whole each time, as before.
 */
export function splitBlocks(text: string, previous?: BlockSplit): BlockSplit {
  const grows = !!previous && !previous.whole && text.startsWith(previous.text);
  // The last line may be incomplete: what began a new block ("---") can turn into
  // more of the block before it ("---word"), so that one is lexed again too,
  // unless the last block's first line was already whole.
  const n = previous?.blocks.length ?? 0;
  const lastWhole = grows && n > 1 && previous.text.includes('\n', previous.starts[n - 1]);
  const reuse = grows ? Math.max(n - (lastWhole ? 1 : 2), 0) : 0;
  const from = reuse ? previous!.starts[reuse]! : 0;
  const lexed = lexFrom(text, from);
  if (lexed.whole) return { text, ...(from ? lexFrom(text, 0) : lexed) };
  return {
    text,
    blocks: [...(previous?.blocks.slice(0, reuse) ?? []), ...lexed.blocks],
    starts: [...(previous?.starts.slice(0, reuse) ?? []), ...lexed.starts],
    whole: false,
  };
}
