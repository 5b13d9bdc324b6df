// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { safeFilename } from '../../src-renderer/app/download.js';
import { ChatView } from '../../src-renderer/chat/ChatView.js';
import { fakeApi, message, summary } from './fake-api.js';
import { fakeLayout } from './layout.js';
import { renderWithApi } from './render.js';

let restoreLayout: () => void;
beforeAll(() => {
  restoreLayout = fakeLayout();
});
afterAll(() => restoreLayout());

/** What the `<a download>` click carried: the file name, the Blob behind its URL, and that the link was gone after. */
interface Download {
  filename: string;
  href: string;
  blob: Blob;
}
let downloads: Download[];
let blobs: Map<string, Blob>;
const originalCreate = URL.createObjectURL;
const originalRevoke = URL.revokeObjectURL;

beforeEach(() => {
  downloads = [];
  blobs = new Map();
  // jsdom has no object URLs, and would try to navigate on the click: both stood in for.
  URL.createObjectURL = vi.fn((b: Blob) => {
    const url = `blob:vega/${blobs.size + 1}`;
    blobs.set(url, b);
    return url;
  });
  URL.revokeObjectURL = vi.fn();
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    expect(this.isConnected).toBe(true);
    downloads.push({ filename: this.download, href: this.getAttribute('href') ?? '', blob: blobs.get(this.getAttribute('href') ?? '')! });
  });
});
afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
  URL.createObjectURL = originalCreate;
  URL.revokeObjectURL = originalRevoke;
});

/** jsdom's Blob has no text(): FileReader reads it. */
function blobText(b: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result));
    r.onerror = () => reject(r.error ?? new Error('the blob could not be read'));
    r.readAsText(b);
  });
}

const MARKDOWN = '# Pools\n\n**You:** What is a pool?\n\n**Vega:** A pool keeps connections.\n';
const JSON_TEXT = JSON.stringify({ id: 'c1', title: 'Pools', messages: [] }, null, 2);

async function openChat() {
  const fake = fakeApi([{ ...summary('c1', 'Pools'), messageCount: 1, messages: [message('u1', 'user', 'What is a pool?')] }]);
  Object.assign(fake.api.chat, {
    export: vi.fn(async (p: { conversationId: string; format: 'markdown' | 'json' }) => {
      fake.calls.push({ channel: 'chat:export', params: p });
      return p.format === 'markdown' ? { filename: 'Pools.md', content: MARKDOWN } : { filename: 'Pools.json', content: JSON_TEXT };
    }),
  });
  renderWithApi(fake.connection, <ChatView active />);
  fireEvent.click(await screen.findByRole('button', { name: /^Pools/ }));
  await screen.findByText('What is a pool?');
  return fake;
}

describe('export a conversation', () => {
  it('Export as Markdown downloads the host’s Markdown under its file name', async () => {
    const fake = await openChat();
    fireEvent.click(screen.getByRole('button', { name: 'Export as Markdown' }));
    await waitFor(() => expect(downloads).toHaveLength(1));
    expect(fake.calls.filter((c) => c.channel === 'chat:export').map((c) => c.params)).toEqual([
      { conversationId: 'c1', format: 'markdown' },
    ]);
    const [d] = downloads;
    expect(d!.filename).toBe('Pools.md');
    expect(d!.href).toMatch(/^blob:/);
    expect(d!.blob.type).toMatch(/^text\/markdown/);
    expect(await blobText(d!.blob)).toBe(MARKDOWN);
    // The link is gone after the click, and its URL is let go of later.
    expect(document.querySelector('a[download]')).toBeNull();
    expect(await screen.findByText('Exported Pools.md')).toBeTruthy();
  });

  it('Export as JSON downloads the JSON', async () => {
    const fake = await openChat();
    const group = screen.getByRole('group', { name: 'Export conversation' });
    fireEvent.click(within(group).getByRole('button', { name: 'Export as JSON' }));
    await waitFor(() => expect(downloads).toHaveLength(1));
    expect(fake.calls.filter((c) => c.channel === 'chat:export').map((c) => c.params)).toEqual([{ conversationId: 'c1', format: 'json' }]);
    expect(downloads[0]!.filename).toBe('Pools.json');
    expect(downloads[0]!.blob.type).toMatch(/^application\/json/);
    expect(JSON.parse(await blobText(downloads[0]!.blob))).toEqual({ id: 'c1', title: 'Pools', messages: [] });
  });

  it("a failed export shows the host's message and downloads nothing", async () => {
    const fake = await openChat();
    Object.assign(fake.api.chat, { export: async () => Promise.reject(new Error('No conversation c1.')) });
    fireEvent.click(screen.getByRole('button', { name: 'Export as Markdown' }));
    expect(await screen.findByText('No conversation c1.')).toBeTruthy();
    expect(downloads).toHaveLength(0);
  });

  it('a new chat (not yet created) has nothing to export', async () => {
    await openChat();
    fireEvent.keyDown(window, { key: 'n', ctrlKey: true });
    await screen.findByRole('heading', { name: 'How can I help?' });
    expect(screen.queryByRole('button', { name: 'Export as Markdown' })).toBeNull();
  });

  it('a file name is never a path', () => {
    expect(safeFilename('Pools.md')).toBe('Pools.md');
    expect(safeFilename('../../etc/passwd')).toBe('passwd');
    expect(safeFilename('C:\\Users\\x\\a.json')).toBe('a.json');
    expect(safeFilename('a:b?.md')).toBe('a_b_.md');
    expect(safeFilename('..')).toBe('download');
    expect(safeFilename('')).toBe('download');
  });
});
