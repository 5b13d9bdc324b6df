// @vitest-environment jsdom
import { cleanup, render } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MarkdownBody } from '../../src-renderer/chat/MarkdownBody.js';

// react-markdown itself, counted: each call is one block parsed and drawn.
const parsed = vi.hoisted(() => [] as string[]);
vi.mock('react-markdown', async (importOriginal) => {
  const actual = await importOriginal<typeof import('react-markdown')>();
  return {
    ...actual,
    default: (props: Parameters<typeof actual.default>[0]) => {
      parsed.push(String(props.children));
      return actual.default(props);
    },
  };
});

afterEach(() => {
  cleanup();
  parsed.length = 0;
});

/** Stream `text` into one rendered answer a few characters at a time, as tokens arrive. */
function stream(text: string, step = 3) {
  const view = render(<MarkdownBody text={text.slice(0, step)} />);
  for (let i = 2 * step; i < text.length + step; i += step) view.rerender(<MarkdownBody text={text.slice(0, i)} />);
  return view;
}

describe('a streamed answer', () => {
  it('parses a finished block once while later tokens arrive', () => {
    const intro = 'A first paragraph, finished early.';
    const view = stream(`${intro}\n\n- one\n- two\n\nThe last paragraph keeps growing word by word until the end.`);
    expect(parsed.filter((s) => s === intro)).toHaveLength(1);
    expect(parsed.filter((s) => s === '- one\n- two')).toHaveLength(1);
    // The growing block was drawn at many lengths, so the count above is not one by accident.
    expect(parsed.filter((s) => s.startsWith('The last paragraph')).length).toBeGreaterThan(10);
    expect(view.container.querySelectorAll('.md > p')).toHaveLength(2);
    expect(view.container.querySelectorAll('.md li')).toHaveLength(2);
  });

  it('shows an open code fence as plain text, and highlights it once the fence closes', () => {
    const open = 'Here:\n\n```ts\nconst x: number = 1;\n';
    const view = render(<MarkdownBody text={open} />);
    const code = () => view.container.querySelector('pre code');
    expect(code()?.textContent).toContain('const x: number = 1;');
    expect(code()?.querySelector('[class^="hljs-"]')).toBeNull();
    expect(view.container.querySelector('.code-lang')?.textContent).toBe('ts');

    view.rerender(<MarkdownBody text={`${open}\`\`\``} />);
    expect(code()?.querySelector('.hljs-keyword')?.textContent).toBe('const');
  });

  it('draws the same blocks streamed as all at once', () => {
    const text = '# Title\n\nSome *text*.\n\n```py\nprint(1)\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n> quoted\n\n1. first\n2. second';
    const streamed = stream(text).container.innerHTML;
    cleanup();
    expect(render(<MarkdownBody text={text} />).container.innerHTML).toBe(streamed);
  });
});
