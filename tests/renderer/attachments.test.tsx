// @vitest-environment jsdom
import { act, cleanup, createEvent, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AttachmentRef } from '../../src-shared/attachments.js';
import { VegaError } from '../../src-shared/errors.js';
import { MessageAttachments } from '../../src-renderer/attachments/MessageAttachments.js';
import { fitWithin } from '../../src-renderer/attachments/image-prep.js';
import { rasterType } from '../../src-shared/raster-type.js';
import { ChatView } from '../../src-renderer/chat/ChatView.js';
import { fakeApi, message, summary, type FakeApi } from './fake-api.js';
import { fakeLayout } from './layout.js';
import { renderWithApi } from './render.js';

let restoreLayout: () => void;
beforeAll(() => {
  restoreLayout = fakeLayout();
});
afterAll(() => restoreLayout());
afterEach(cleanup);

const PNG_HEAD = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function ref(name: string, extra: Partial<AttachmentRef> = {}): AttachmentRef {
  const id = [...name]
    .reduce((h, c) => h + c.charCodeAt(0).toString(16), '')
    .padEnd(64, '0')
    .slice(0, 64);
  return { id, name, kind: 'document', mime: 'text/plain', size: 10, ...extra };
}

/** The engine's answer to each add, by file name: a ref, or a typed error; held until `release` when asked. */
function engine(fake: FakeApi, answers: Record<string, AttachmentRef | VegaError>, hold = false) {
  const waiting: (() => void)[] = [];
  const seen: { name: string; data: string; thumbnail?: string }[] = [];
  fake.attachments.add = async (p) => {
    seen.push({ name: p.name, data: String(p.data), ...(typeof p.thumbnail === 'string' ? { thumbnail: p.thumbnail } : {}) });
    if (hold) await new Promise<void>((r) => waiting.push(r));
    const a = answers[p.name];
    if (!a) throw new Error(`no answer for ${p.name}`);
    if (a instanceof VegaError) throw a;
    return { ref: a };
  };
  return { seen, release: () => waiting.splice(0).forEach((r) => r()) };
}

async function openChat() {
  const fake = fakeApi([{ ...summary('c1', 'Pictures'), messageCount: 1, messages: [message('u1', 'user', 'Hello')] }]);
  renderWithApi(fake.connection, <ChatView active />);
  fireEvent.click(await screen.findByRole('button', { name: /^Pictures/ }));
  await screen.findByText('Hello');
  return fake;
}

const box = () => screen.getByRole<HTMLTextAreaElement>('textbox', { name: 'Message' });
const chips = () => screen.queryByRole('list', { name: 'Attachments' });
const sends = (fake: FakeApi) => fake.calls.filter((c) => c.channel === 'chat:send').map((c) => c.params);

function attach(...files: File[]) {
  fireEvent.change(screen.getByLabelText('Attach files', { selector: 'input' }), { target: { files } });
}

function chip(name: string): HTMLElement {
  const list = chips();
  if (!list) throw new Error('no chips');
  const item = within(list)
    .getAllByRole('listitem')
    .find((li) => li.textContent?.includes(name));
  if (!item) throw new Error(`no chip ${name}`);
  return item;
}

function type(text: string) {
  fireEvent.change(box(), { target: { value: text } });
}

describe('attachments in the composer', () => {
  it('stores a picked file, shows it ready, and sends its id with the message; the chips go once it is sent', async () => {
    const fake = await openChat();
    const notes = ref('notes.txt', { tokens: 1200 });
    const { seen } = engine(fake, { 'notes.txt': notes });
    attach(new File(['some notes'], 'notes.txt', { type: 'text/plain' }));
    await waitFor(() => expect(chip('notes.txt').dataset.state).toBe('ready'));
    expect(chip('notes.txt').textContent).toContain('~1,200 tokens');
    // What went to the engine: the bytes as base64, no thumbnail for a document.
    expect(seen).toEqual([{ name: 'notes.txt', data: btoa('some notes') }]);

    type('Summarise these');
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(sends(fake)).toEqual([{ conversationId: 'c1', text: 'Summarise these', attachments: [notes.id] }]));
    await waitFor(() => expect(chips()).toBeNull());
  });

  it('waits for a chip still preparing before Send is possible', async () => {
    const fake = await openChat();
    const { release, seen } = engine(fake, { 'a.txt': ref('a.txt') }, true);
    attach(new File(['a'], 'a.txt'));
    type('With a file');
    expect(chip('a.txt').dataset.state).toBe('preparing');
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Send' }).disabled).toBe(true);
    // Enter does not slip past the disabled button either.
    fireEvent.keyDown(box(), { key: 'Enter' });
    expect(sends(fake)).toEqual([]);
    await waitFor(() => expect(seen).toHaveLength(1));
    act(() => release());
    await waitFor(() => expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Send' }).disabled).toBe(false));
  });

  it("shows the engine's error on the chip and sends the rest of the message without it", async () => {
    const fake = await openChat();
    const good = ref('good.txt');
    engine(fake, {
      'good.txt': good,
      'big.pdf': new VegaError('attachment_too_large', 'big.pdf is 31 MB; a message may attach 20 MB (VEGA_UPLOAD_MAX_MB).'),
    });
    attach(new File(['x'], 'good.txt'), new File(['y'], 'big.pdf'));
    await waitFor(() => expect(chip('big.pdf').dataset.state).toBe('error'));
    expect(within(chip('big.pdf')).getByRole('alert').textContent).toContain('20 MB (VEGA_UPLOAD_MAX_MB)');
    await waitFor(() => expect(chip('good.txt').dataset.state).toBe('ready'));
    type('Here');
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(sends(fake)).toEqual([{ conversationId: 'c1', text: 'Here', attachments: [good.id] }]));
  });

  it('refuses, without reading it, a file past what any host takes, and a file past the count a message carries', async () => {
    const fake = await openChat();
    const answers = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`f${i}.txt`, ref(`f${i}.txt`)]));
    const { seen } = engine(fake, answers);
    const huge = new File(['x'], 'huge.iso');
    // A size past 200 MB without holding 200 MB: the window must decide by the size alone.
    Object.defineProperty(huge, 'size', { value: 201 * 1024 * 1024 });
    attach(huge, ...Array.from({ length: 21 }, (_, i) => new File(['x'], `f${i}.txt`)));
    expect(chip('huge.iso').dataset.state).toBe('error');
    expect(chip('huge.iso').textContent).toContain('200 MB');
    expect(chip('f20.txt').dataset.state).toBe('error');
    expect(chip('f20.txt').textContent).toContain('at most 20 attachments');
    await waitFor(() => expect(chip('f19.txt').dataset.state).toBe('ready'));
    expect(seen.map((f) => f.name)).toEqual(Array.from({ length: 20 }, (_, i) => `f${i}.txt`));
  });

  it('takes a chip out with its remove button', async () => {
    const fake = await openChat();
    engine(fake, { 'a.txt': ref('a.txt'), 'b.txt': ref('b.txt') });
    attach(new File(['a'], 'a.txt'), new File(['b'], 'b.txt'));
    await waitFor(() => expect(chip('b.txt').dataset.state).toBe('ready'));
    fireEvent.click(screen.getByRole('button', { name: 'Remove a.txt' }));
    type('Only b');
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(sends(fake)).toEqual([{ conversationId: 'c1', text: 'Only b', attachments: [ref('b.txt').id] }]));
  });

  it('shows a drop target while files are dragged over, and attaches what is dropped', async () => {
    const fake = await openChat();
    engine(fake, { 'shot.png': ref('shot.png', { kind: 'image', mime: 'image/png' }) });
    const form = box().closest('form')!;
    const file = new File([new Uint8Array(PNG_HEAD)], 'shot.png', { type: 'image/png' });
    const dataTransfer = { types: ['Files'], files: [file], dropEffect: 'none' };
    fireEvent.dragEnter(form, { dataTransfer });
    expect(form.classList.contains('dropping')).toBe(true);
    fireEvent.drop(form, { dataTransfer });
    expect(form.classList.contains('dropping')).toBe(false);
    await waitFor(() => expect(chip('shot.png').dataset.state).toBe('ready'));
  });

  it('leaves text drags alone', async () => {
    await openChat();
    const form = box().closest('form')!;
    const dragOver = createEvent.dragOver(form, { dataTransfer: { types: ['text/plain'], files: [] } });
    fireEvent(form, dragOver);
    expect(dragOver.defaultPrevented).toBe(false);
    expect(form.classList.contains('dropping')).toBe(false);
  });

  it('attaches an image pasted from the clipboard', async () => {
    const fake = await openChat();
    engine(fake, { 'image.png': ref('image.png', { kind: 'image', mime: 'image/png' }) });
    const paste = createEvent.paste(box(), {
      clipboardData: { types: ['Files'], files: [new File([new Uint8Array(PNG_HEAD)], 'image.png', { type: 'image/png' })] },
    });
    fireEvent(box(), paste);
    expect(paste.defaultPrevented).toBe(true);
    await waitFor(() => expect(chip('image.png').dataset.state).toBe('ready'));
  });

  it('offers the models that can see when the chosen one cannot, keeping the text and the chips', async () => {
    const fake = await openChat();
    const photo = ref('cat.jpg', { kind: 'image', mime: 'image/jpeg' });
    engine(fake, { 'cat.jpg': photo });
    const send = fake.api.chat.send;
    fake.api.chat.send = async (p) => {
      await send(p);
      throw new VegaError('model_cannot_see', 'llama3.2 cannot see images.', { details: { visionModels: ['llava:7b', 'gemma3'] } });
    };
    attach(new File(['jpeg'], 'cat.jpg'));
    await waitFor(() => expect(chip('cat.jpg').dataset.state).toBe('ready'));
    type('What is this?');
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    const prompt = await screen.findByText(/cannot see images/);
    expect(box().value).toBe('What is this?');
    expect(chip('cat.jpg').dataset.state).toBe('ready');
    // Not the chat's error banner: the prompt answers it.
    expect(document.querySelector('.banner.error')).toBeNull();
    fireEvent.click(within(prompt.closest('[role="alert"]') as HTMLElement).getByRole('button', { name: 'Use llava:7b' }));
    await waitFor(() =>
      expect(fake.calls.find((c) => c.channel === 'chat:update')?.params).toEqual({ conversationId: 'c1', model: 'llava:7b' }),
    );
    expect(screen.queryByText(/cannot see images/)).toBeNull();
    expect(box().value).toBe('What is this?');
    expect(chip('cat.jpg').dataset.state).toBe('ready');
  });

  it('says by how much documents overflow the context and re-sends with only their first part', async () => {
    const fake = await openChat();
    const book = ref('book.pdf', { mime: 'application/pdf', tokens: 90_000 });
    engine(fake, { 'book.pdf': book });
    const send = fake.api.chat.send;
    let refused = false;
    fake.api.chat.send = async (p) => {
      const r = await send(p);
      if (p.includeFirstPart) return r;
      refused = true;
      throw new VegaError('attachments_exceed_context', 'The documents do not fit the context window.', {
        details: { tokens: 90_000, contextTokens: 8192 },
      });
    };
    attach(new File(['%PDF'], 'book.pdf'));
    await waitFor(() => expect(chip('book.pdf').dataset.state).toBe('ready'));
    type('Summarise');
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    const prompt = (await screen.findByText(/do not fit/)).closest('[role="alert"]') as HTMLElement;
    expect(refused).toBe(true);
    expect(prompt.textContent).toContain('~90,000 tokens');
    expect(prompt.textContent).toContain('8,192');
    expect(box().value).toBe('Summarise');
    fireEvent.click(within(prompt).getByRole('button', { name: 'Include the first part' }));
    await waitFor(() => expect(sends(fake)).toHaveLength(2));
    expect(sends(fake)[1]).toEqual({ conversationId: 'c1', text: 'Summarise', attachments: [book.id], includeFirstPart: true });
    await waitFor(() => expect(chips()).toBeNull());
    expect(box().value).toBe('');
  });
});

describe('attachments in a sent message', () => {
  const urls: string[] = [];
  const revoked: string[] = [];
  const real = { create: URL.createObjectURL, revoke: URL.revokeObjectURL };
  beforeAll(() => {
    // jsdom has no blob: URLs; these record what the window makes and gives back.
    URL.createObjectURL = (b: Blob) => {
      const u = `blob:test/${urls.length}-${b.type}`;
      urls.push(u);
      return u;
    };
    URL.revokeObjectURL = (u: string) => void revoked.push(u);
  });
  afterAll(() => {
    URL.createObjectURL = real.create;
    URL.revokeObjectURL = real.revoke;
  });

  const image = ref('cat.png', { kind: 'image', mime: 'image/png', width: 3000, height: 2000 });
  const doc = ref('report.pdf', { mime: 'application/pdf', tokens: 4200, size: 2_000_000 });

  function mount(mime = 'image/png') {
    const fake = fakeApi();
    fake.attachments.get = async (p) => ({ mime: p.variant === 'thumbnail' ? 'image/webp' : mime, data: btoa('pixels') });
    const view = renderWithApi(fake.connection, <MessageAttachments refs={[image, doc]} />);
    return { fake, view };
  }

  it('shows a thumbnail fetched on demand, a document chip, and gives the blob URL back when it goes', async () => {
    const { fake, view } = mount();
    const img = await screen.findByRole<HTMLImageElement>('img', { name: 'cat.png' });
    expect(img.src).toMatch(/^blob:test\/\d+-image\/webp$/);
    expect(fake.calls.filter((c) => c.channel === 'attachments:get').map((c) => c.params)).toEqual([
      { id: image.id, variant: 'thumbnail' },
    ]);
    expect(screen.getByTitle('report.pdf').textContent).toMatch(/PDF · 1\.9 MB · ~4,200 tokens/);
    view.unmount();
    expect(revoked).toContain(img.src);
  });

  it('enlarges on click in a dialog that Escape closes, giving focus back to the thumbnail', async () => {
    mount();
    const thumb = screen.getByRole('button', { name: 'Enlarge cat.png' });
    thumb.focus();
    fireEvent.click(thumb);
    const dialog = await screen.findByRole('dialog', { name: 'cat.png' });
    const full = await within(dialog).findByRole<HTMLImageElement>('img', { name: 'cat.png' });
    expect(full.src).toMatch(/-image\/png$/);
    expect(dialog.textContent).toContain('3000 × 2000');
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Close' }));
    fireEvent.keyDown(window, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(thumb);
  });

  it('never puts anything but PNG, JPEG, WebP or GIF in an <img>', async () => {
    const fake = fakeApi();
    fake.attachments.get = async () => ({ mime: 'image/svg+xml', data: btoa('<svg onload="alert(1)"/>') });
    renderWithApi(fake.connection, <MessageAttachments refs={[image]} />);
    await screen.findByText('Image unavailable');
    expect(screen.queryByRole('img')).toBeNull();
  });
});

describe('image preparation', () => {
  it('knows the four raster formats by their first bytes, and nothing else (SVG least of all)', () => {
    const bytes = (s: string | number[]) => new Uint8Array(typeof s === 'string' ? [...s].map((c) => c.charCodeAt(0)) : s);
    expect(rasterType(bytes(PNG_HEAD))).toBe('image/png');
    expect(rasterType(bytes([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg');
    expect(rasterType(bytes('RIFF\0\0\0\0WEBPVP8 '))).toBe('image/webp');
    expect(rasterType(bytes('GIF89a'))).toBe('image/gif');
    expect(rasterType(bytes('<svg xmlns="http://www.w3.org/2000/svg">'))).toBeNull();
    expect(rasterType(bytes('%PDF-1.7'))).toBeNull();
    expect(rasterType(bytes([]))).toBeNull();
  });

  it('scales to the longest side, keeping the ratio, and leaves smaller images alone', () => {
    expect(fitWithin(4000, 3000, 2048)).toEqual({ width: 2048, height: 1536 });
    expect(fitWithin(1000, 5000, 2048)).toEqual({ width: 410, height: 2048 });
    expect(fitWithin(2048, 100, 2048)).toEqual({ width: 2048, height: 100 });
    expect(fitWithin(20_000, 1, 256)).toEqual({ width: 256, height: 1 });
  });
});
