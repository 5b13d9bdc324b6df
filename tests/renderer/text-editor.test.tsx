// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi, type Mock } from 'vitest';
import { MessageEditor } from '../../src-renderer/chat/MessageEditor.js';
import { SystemPromptPanel } from '../../src-renderer/chat/SystemPromptPanel.js';

afterEach(cleanup);

/** The two editors; the behaviour they share is checked on both. */
const EDITORS = [
  {
    name: 'message editor',
    label: 'Edit message',
    saveText: 'Save & resend',
    rows: { min: 2, max: 10 },
    element: (initial: string, onSave: (text: string) => void, onCancel: () => void) => (
      <MessageEditor initial={initial} onSave={onSave} onCancel={onCancel} />
    ),
  },
  {
    name: 'system prompt',
    label: 'System prompt',
    saveText: 'Save prompt',
    rows: { min: 4, max: 16 },
    element: (initial: string, onSave: (text: string) => void, onCancel: () => void) => (
      <SystemPromptPanel value={initial} onSave={onSave} onCancel={onCancel} />
    ),
  },
];
const [MESSAGE, PROMPT] = EDITORS as [(typeof EDITORS)[number], (typeof EDITORS)[number]];

function mount(ed: (typeof EDITORS)[number], initial: string): { onSave: Mock<(text: string) => void>; onCancel: Mock<() => void> } {
  const onSave = vi.fn<(text: string) => void>();
  const onCancel = vi.fn<() => void>();
  render(ed.element(initial, onSave, onCancel));
  return { onSave, onCancel };
}

const box = (label: string) => screen.getByRole<HTMLTextAreaElement>('textbox', { name: label });
const type = (label: string, value: string) => fireEvent.change(box(label), { target: { value } });

describe.each(EDITORS)('the $name (one text editor)', (ed) => {
  it('is a text box with its accessible name, holding the current text', () => {
    mount(ed, 'Be brief.');
    expect(box(ed.label).value).toBe('Be brief.');
    expect(screen.getByLabelText(ed.label)).toBe(box(ed.label));
  });

  it('Ctrl+Enter and Cmd+Enter save the text', () => {
    const { onSave } = mount(ed, 'Be brief.');
    type(ed.label, 'Be very brief.');
    fireEvent.keyDown(box(ed.label), { key: 'Enter', ctrlKey: true });
    fireEvent.keyDown(box(ed.label), { key: 'Enter', metaKey: true });
    expect(onSave.mock.calls).toEqual([['Be very brief.'], ['Be very brief.']]);
  });

  it('Enter while an input method composes a character does not save', () => {
    const { onSave } = mount(ed, 'Be brief.');
    type(ed.label, 'かな');
    fireEvent.keyDown(box(ed.label), { key: 'Enter', ctrlKey: true, isComposing: true });
    expect(onSave).not.toHaveBeenCalled();
  });

  it('Escape cancels, and goes no further (the chat takes Escape as Stop)', () => {
    const { onCancel, onSave } = mount(ed, 'Be brief.');
    const outside = vi.fn();
    window.addEventListener('keydown', outside);
    try {
      fireEvent.keyDown(box(ed.label), { key: 'Escape' });
    } finally {
      window.removeEventListener('keydown', outside);
    }
    expect(onCancel).toHaveBeenCalledTimes(1);
    expect(outside).not.toHaveBeenCalled();
    expect(onSave).not.toHaveBeenCalled();
  });

  it('Cancel and Save buttons', () => {
    const { onCancel, onSave } = mount(ed, 'Be brief.');
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(onCancel).toHaveBeenCalledTimes(1);
    type(ed.label, 'Be kind.');
    fireEvent.click(screen.getByRole('button', { name: ed.saveText }));
    expect(onSave).toHaveBeenCalledWith('Be kind.');
  });

  it('grows with its lines between its least and most rows', () => {
    mount(ed, 'one line');
    expect(box(ed.label).rows).toBe(ed.rows.min);
    const lines = (n: number) => Array.from({ length: n }, (_, i) => `line ${i}`).join('\n');
    type(ed.label, lines(ed.rows.min + 1));
    expect(box(ed.label).rows).toBe(ed.rows.min + 1);
    type(ed.label, lines(ed.rows.max + 5));
    expect(box(ed.label).rows).toBe(ed.rows.max);
    type(ed.label, 'short again');
    expect(box(ed.label).rows).toBe(ed.rows.min);
  });

  it('counts wrapped lines too: it grows until the text fits', () => {
    mount(ed, '');
    const el = box(ed.label);
    // A layout where a row is 20 px and the text, wrapped, is 7 rows tall.
    Object.defineProperty(el, 'clientHeight', { configurable: true, get: () => el.rows * 20 });
    Object.defineProperty(el, 'scrollHeight', { configurable: true, get: () => Math.max(7 * 20, el.rows * 20) });
    type(ed.label, 'one long paragraph without a newline that wraps over seven rows of the box');
    expect(box(ed.label).rows).toBe(Math.min(7, ed.rows.max));
  });
});

describe('the message editor', () => {
  it('Enter saves the trimmed text as the message box sends; Shift+Enter is a new line', () => {
    const { onSave } = mount(MESSAGE, 'What is a pool?');
    type('Edit message', '  What is a pool, really?  ');
    fireEvent.keyDown(box('Edit message'), { key: 'Enter', shiftKey: true });
    expect(onSave).not.toHaveBeenCalled();
    fireEvent.keyDown(box('Edit message'), { key: 'Enter' });
    expect(onSave).toHaveBeenCalledWith('What is a pool, really?');
  });

  it('has the keyboard when it opens', () => {
    mount(MESSAGE, 'What is a pool?');
    expect(document.activeElement).toBe(box('Edit message'));
  });

  it('an empty message cannot be saved', () => {
    const { onSave } = mount(MESSAGE, 'What is a pool?');
    type('Edit message', '   ');
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Save & resend' }).disabled).toBe(true);
    fireEvent.keyDown(box('Edit message'), { key: 'Enter' });
    fireEvent.keyDown(box('Edit message'), { key: 'Enter', ctrlKey: true });
    expect(onSave).not.toHaveBeenCalled();
  });
});

describe('the system prompt', () => {
  it('Enter is a new line: a prompt has paragraphs', () => {
    const { onSave } = mount(PROMPT, 'Be brief.');
    type('System prompt', 'Be brief.\n');
    fireEvent.keyDown(box('System prompt'), { key: 'Enter' });
    expect(onSave).not.toHaveBeenCalled();
  });

  it('saves only a change, as typed (an empty prompt clears it)', () => {
    const { onSave } = mount(PROMPT, 'Be brief.');
    const save = screen.getByRole<HTMLButtonElement>('button', { name: 'Save prompt' });
    expect(save.disabled).toBe(true);
    fireEvent.keyDown(box('System prompt'), { key: 'Enter', ctrlKey: true });
    expect(onSave).not.toHaveBeenCalled();
    type('System prompt', '');
    expect(save.disabled).toBe(false);
    fireEvent.keyDown(box('System prompt'), { key: 'Enter', ctrlKey: true });
    expect(onSave).toHaveBeenCalledWith('');
  });

  it('shows its label and an example', () => {
    mount(PROMPT, '');
    expect(screen.getByText('System prompt').tagName).toBe('LABEL');
    expect(box('System prompt').placeholder).toMatch(/concise assistant/);
    expect(box('System prompt').maxLength).toBe(20_000);
  });
});
