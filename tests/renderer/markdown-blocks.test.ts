import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitBlocks, type BlockSplit } from '../../src-renderer/chat/markdown-blocks.js';

const sources = (s: BlockSplit) => s.blocks.map((b) => b.source);

describe('splitBlocks', () => {
  it('cuts an answer into its top-level blocks, each from the start of its line', () => {
    const s = splitBlocks('# T\n\npara one\nline two\n\n  - a\n  - b\n\n```ts\nx\n```\n\n| a |\n|---|\n| 1 |');
    expect(sources(s)).toEqual(['# T', 'para one\nline two', '  - a\n  - b', '```ts\nx\n```', '| a |\n|---|\n| 1 |']);
    expect(s.blocks.some((b) => b.openFence)).toBe(false);
  });

  it('marks a last fenced block open until its closing fence, in a list or a quote too', () => {
    for (const [open, close] of [
      ['```ts\nx\n', '```'],
      ['~~~~\nx\n~~~', '~'],
      ['- ```js\n  y\n', '  ```'],
      ['> ```js\n> y\n', '> ```'],
    ] as const) {
      expect(splitBlocks(open).blocks.at(-1)?.openFence, open).toBe(true);
      expect(splitBlocks(open + close).blocks.at(-1)?.openFence, open + close).toBe(false);
    }
  });

  it('keeps a text with a definition whole: its parts refer to each other', () => {
    for (const text of ['[a][x]\n\n[x]: https://example.com', 'note[^1]\n\n[^1]: text']) {
      const s = splitBlocks(text);
      expect(s.whole).toBe(true);
      expect(sources(s)).toEqual([text]);
    }
  });

  it('splits a growing text as it would split the whole text, whatever the pieces', () => {
    const piece = fc.constantFrom(
      'word ',
      'word',
      '\n',
      '\n\n',
      '# ',
      '- ',
      '  - ',
      '1. ',
      '> ',
      '```',
      '```ts\n',
      '~~~',
      '    ',
      '| a | b |\n|---|---|\n',
      '| 1 | 2 |',
      '---',
      '===',
      '*',
      '`',
      '[l](https://e.x)',
      '[x]',
      '[x]: https://e.x\n',
      '[^1]',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (pieces) => {
        let streamed: BlockSplit | undefined;
        let text = '';
        for (const p of pieces) {
          text += p;
          streamed = splitBlocks(text, streamed);
          expect(streamed).toEqual(splitBlocks(text));
        }
      }),
      { numRuns: 1000 },
    );
  });
});
