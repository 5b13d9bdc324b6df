// @vitest-environment jsdom
import { cleanup, render, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { Markdown } from '../../src-renderer/chat/Markdown.js';

afterEach(cleanup);

/** Render as the chat does, then wait for the lazily loaded Markdown stack to replace the plain text. */
async function renderMarkdown(text: string) {
  const view = render(<Markdown text={text} />);
  await waitFor(() => expect(view.container.querySelector('.md-loading')).toBeNull());
  return view;
}

describe('Markdown from the model', () => {
  it('never turns raw HTML into elements', async () => {
    const { container } = await renderMarkdown(
      'Hello <script>window.pwned = 1</script>\n\n<img src=x onerror="window.pwned = 2">\n\n<iframe src="https://evil.test"></iframe>\n\n<b onclick="x()">bold?</b>',
    );
    expect(container.querySelector('script')).toBeNull();
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('iframe')).toBeNull();
    expect(container.querySelector('b')).toBeNull();
    expect(container.querySelector('[onerror], [onclick]')).toBeNull();
    expect((window as unknown as { pwned?: number }).pwned).toBeUndefined();
    expect(container.textContent).toContain('Hello');
  });

  it('drops javascript: links', async () => {
    const { container } = await renderMarkdown('[click](javascript:alert(1)) and [ok](https://example.com)');
    const links = [...container.querySelectorAll('a')];
    expect(links.map((a) => a.getAttribute('href'))).not.toContain('javascript:alert(1)');
    const ok = links.find((a) => a.textContent === 'ok');
    expect(ok?.getAttribute('href')).toBe('https://example.com');
    expect(ok?.getAttribute('rel')).toContain('noopener');
  });

  it('renders Markdown, GFM tables and highlighted code with a copy button', async () => {
    const { container, getByRole } = await renderMarkdown('# Title\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```ts\nconst x: number = 1;\n```');
    expect(container.querySelector('h1')?.textContent).toBe('Title');
    expect(container.querySelectorAll('td')).toHaveLength(2);
    const code = container.querySelector('pre code');
    expect(code?.className).toContain('language-ts');
    expect(code?.querySelector('.hljs-keyword')?.textContent).toBe('const');
    expect(getByRole('button', { name: 'Copy code' })).toBeTruthy();
    expect(container.querySelector('.code-lang')?.textContent).toBe('ts');
  });

  it('resolves reference links and footnotes across blocks, as one document', async () => {
    const { container } = await renderMarkdown(
      'See [the docs][docs] and a note[^1].\n\n[docs]: https://example.com/docs\n\n[^1]: The note.',
    );
    expect(container.querySelector('a[href="https://example.com/docs"]')?.textContent).toBe('the docs');
    expect(container.querySelector('section[data-footnotes]')?.textContent).toContain('The note.');
  });
});
