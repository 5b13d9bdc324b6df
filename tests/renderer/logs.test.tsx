// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation } from '../../src-shared/chat.js';
import type { LogLine } from '../../src-shared/contract.js';
import { App } from '../../src-renderer/app/App.js';
import { LOG_LIMIT, TYPING_DELAY_MS } from '../../src-renderer/logs/LogsView.js';
import { fieldViews, FIELD_CHARS, logTime } from '../../src-renderer/logs/format.js';
import { fakeApi, logLine, message, recentRequest, resourceSnapshot, summary, type FakeApi } from './fake-api.js';
import { fakeLayout, fakeResizeObserver } from './layout.js';
import { loadLazyViews } from './lazy-views.js';
import { renderWithApi } from './render.js';

// The charts need ResizeObserver, the chat's list boxes with a size: jsdom has neither.
let restore: (() => void)[] = [];
beforeAll(async () => {
  await loadLazyViews();
  restore = [fakeLayout(), fakeResizeObserver()];
});
afterAll(() => restore.forEach((r) => r()));
afterEach(() => {
  cleanup();
  // The app keeps its view in the address: start each test on the chat.
  window.history.replaceState(null, '', '/');
});

const REQ_A = '0f3c2a9e-1111-4a6b-9c1d-aaaaaaaaaaaa';
const REQ_B = '7b1d4e20-2222-4f0e-8d3c-bbbbbbbbbbbb';

const LINES: LogLine[] = [
  logLine('chat answer finished', {
    time: Date.now() - 1000,
    requestId: REQ_A,
    fields: { conversationId: 'c1', model: 'llama3.2', tokensPerSecond: 41.5 },
  }),
  logLine('upstream slow', {
    level: 'warn',
    time: Date.now() - 2000,
    requestId: REQ_B,
    fields: { origin: 'http://127.0.0.1:11434', ms: 2300 },
  }),
  logLine('provider failed', {
    level: 'error',
    time: Date.now() - 3000,
    requestId: REQ_B,
    fields: { err: { type: 'Error', message: 'ECONNREFUSED', stack: 'Error: ECONNREFUSED\n    at x' } },
  }),
  logLine('cache miss', { level: 'debug', time: Date.now() - 4000, fields: { key: '.env' } }),
];

function mount(fake: FakeApi, hash = '') {
  window.history.replaceState(null, '', `/${hash}`);
  renderWithApi(fake.connection, <App />);
}

function withLines(conversations: Conversation[] = []): FakeApi {
  const fake = fakeApi(conversations);
  fake.logLines.push(...LINES);
  return fake;
}

const logCalls = (fake: FakeApi) => fake.calls.filter((c) => c.channel === 'app:logs').map((c) => c.params);
const lastLogCall = (fake: FakeApi) => logCalls(fake).at(-1);

/** The rows of the log table, as their message texts. */
function shownMessages(): string[] {
  const region = screen.getByRole('region', { name: 'Logs' });
  return within(region)
    .queryAllByRole('row')
    .slice(1)
    .map((r) => r.querySelector('.log-msg')?.textContent ?? '');
}

describe('Logs view', () => {
  it('asks for the newest lines and shows time, level, message, request id and the other fields', async () => {
    const fake = withLines();
    mount(fake, '#logs');
    const region = await screen.findByRole('region', { name: 'Logs' });
    await within(region).findByText('chat answer finished');
    expect(logCalls(fake)).toEqual([{ limit: LOG_LIMIT }]);
    expect(shownMessages()).toEqual(['chat answer finished', 'upstream slow', 'provider failed', 'cache miss']);

    const row = screen.getByText('chat answer finished').closest('tr')!;
    expect(row.textContent).toContain(logTime(LINES[0]!.time));
    expect(row.textContent).toContain('info');
    expect(row.textContent).toContain('conversationId=c1');
    expect(row.textContent).toContain('tokensPerSecond=41.5');
    const id = within(row).getByRole('button', { name: `Filter logs by request ${REQ_A}` });
    expect(id.textContent).toBe(REQ_A.slice(0, 8));
    expect(id.getAttribute('title')).toContain(REQ_A);
    // An error's message, not its stack, in the line.
    const failed = screen.getByText('provider failed').closest('tr')!;
    expect(failed.textContent).toContain('err=Error: ECONNREFUSED');
    expect(failed.textContent).not.toContain('at x');
    // No request id: a dash.
    expect(screen.getByText('cache miss').closest('tr')!.querySelector('.log-reqid')?.textContent).toBe('–');
  });

  it('the Level filter asks for that level and above; All asks for every level', async () => {
    const fake = withLines();
    mount(fake, '#logs');
    await screen.findByText('chat answer finished');
    fireEvent.change(screen.getByRole('combobox', { name: 'Level' }), { target: { value: 'warn' } });
    await waitFor(() => expect(lastLogCall(fake)).toEqual({ limit: LOG_LIMIT, level: 'warn' }));
    await waitFor(() => expect(shownMessages()).toEqual(['upstream slow', 'provider failed']));
    fireEvent.change(screen.getByRole('combobox', { name: 'Level' }), { target: { value: 'all' } });
    await waitFor(() => expect(lastLogCall(fake)).toEqual({ limit: LOG_LIMIT }));
    await waitFor(() => expect(shownMessages()).toHaveLength(4));
  });

  it('the Request ID box filters on Enter, and after a pause while typing', async () => {
    const fake = withLines();
    mount(fake, '#logs');
    await screen.findByText('chat answer finished');
    const box = screen.getByRole('textbox', { name: 'Request ID' });
    fireEvent.change(box, { target: { value: REQ_B } });
    fireEvent.submit(box);
    await waitFor(() => expect(lastLogCall(fake)).toEqual({ limit: LOG_LIMIT, requestId: REQ_B }));
    await waitFor(() => expect(shownMessages()).toEqual(['upstream slow', 'provider failed']));

    fireEvent.change(box, { target: { value: REQ_A } });
    await new Promise((r) => setTimeout(r, TYPING_DELAY_MS + 100));
    await waitFor(() => expect(lastLogCall(fake)).toEqual({ limit: LOG_LIMIT, requestId: REQ_A }));
    await waitFor(() => expect(shownMessages()).toEqual(['chat answer finished']));

    fireEvent.click(screen.getByRole('button', { name: 'Clear request ID filter' }));
    await waitFor(() => expect(lastLogCall(fake)).toEqual({ limit: LOG_LIMIT }));
    expect((box as HTMLInputElement).value).toBe('');
  });

  it('combines level and request id, and says so when nothing matches', async () => {
    const fake = withLines();
    mount(fake, '#logs');
    await screen.findByText('chat answer finished');
    fireEvent.change(screen.getByRole('combobox', { name: 'Level' }), { target: { value: 'error' } });
    const box = screen.getByRole('textbox', { name: 'Request ID' });
    fireEvent.change(box, { target: { value: REQ_A } });
    fireEvent.submit(box);
    await waitFor(() => expect(lastLogCall(fake)).toEqual({ limit: LOG_LIMIT, level: 'error', requestId: REQ_A }));
    expect(await screen.findByText('No log line matches the filter.')).toBeTruthy();
  });

  it('a request id in a line sets the filter', async () => {
    const fake = withLines();
    mount(fake, '#logs');
    const row = (await screen.findByText('upstream slow')).closest('tr')!;
    fireEvent.click(within(row).getByRole('button', { name: `Filter logs by request ${REQ_B}` }));
    await waitFor(() => expect(lastLogCall(fake)).toEqual({ limit: LOG_LIMIT, requestId: REQ_B }));
    expect(screen.getByRole<HTMLInputElement>('textbox', { name: 'Request ID' }).value).toBe(REQ_B);
    await waitFor(() => expect(shownMessages()).toEqual(['upstream slow', 'provider failed']));
  });

  it('refuses a malformed request id without asking the host', async () => {
    const fake = withLines();
    mount(fake, '#logs');
    await screen.findByText('chat answer finished');
    const before = logCalls(fake).length;
    const box = screen.getByRole('textbox', { name: 'Request ID' });
    fireEvent.change(box, { target: { value: 'not an id!' } });
    fireEvent.submit(box);
    await new Promise((r) => setTimeout(r, TYPING_DELAY_MS + 100));
    expect(logCalls(fake)).toHaveLength(before);
    expect(box.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText(/A request ID is up to 64/)).toBeTruthy();
  });

  it('Refresh asks again with the same filter and shows new lines', async () => {
    const fake = withLines();
    mount(fake, '#logs');
    await screen.findByText('chat answer finished');
    fake.logLines.unshift(logLine('a newer line'));
    fireEvent.click(screen.getByRole('button', { name: 'Refresh' }));
    expect(await screen.findByText('a newer line')).toBeTruthy();
    expect(logCalls(fake)).toEqual([{ limit: LOG_LIMIT }, { limit: LOG_LIMIT }]);
  });

  it("shows the host's error when the logs cannot be read", async () => {
    const fake = withLines();
    Object.assign(fake.api.app, { logs: async () => Promise.reject(new Error('The log folder cannot be read.')) });
    mount(fake, '#logs');
    expect((await screen.findByRole('alert')).textContent).toContain('The log folder cannot be read.');
  });

  it('Export diagnostics saves the file and says where', async () => {
    const fake = withLines();
    mount(fake, '#logs');
    await screen.findByText('chat answer finished');
    fireEvent.click(screen.getByRole('button', { name: 'Export diagnostics' }));
    expect(await screen.findByText('Diagnostics saved to /tmp/vega/diagnostics/vega-diagnostics-1.json')).toBeTruthy();
    expect(fake.calls.filter((c) => c.channel === 'app:exportDiagnostics')).toHaveLength(1);
  });

  it('has its own tab, after Dashboard', () => {
    mount(fakeApi());
    expect(screen.getAllByRole('tab').map((t) => t.textContent)).toEqual(['Chat', 'Models', 'Dashboard', 'Logs', 'Settings']);
    fireEvent.click(screen.getByRole('tab', { name: 'Logs' }));
    expect(screen.getByRole('tab', { name: 'Logs' }).getAttribute('aria-selected')).toBe('true');
    expect(screen.getByRole('region', { name: 'Logs' })).toBeTruthy();
    expect(window.location.hash).toBe('#logs');
  });
});

describe('following a request id to its log lines', () => {
  it("from the dashboard's Recent requests table", async () => {
    const fake = withLines();
    fake.requests.push(recentRequest(REQ_B), recentRequest(null, { path: '/api/tags' }));
    mount(fake);
    fireEvent.click(screen.getByRole('tab', { name: 'Dashboard' }));
    await screen.findByRole('region', { name: 'Resource dashboard' });
    act(() => fake.snapshot(resourceSnapshot(1_000_000)));
    const table = await screen.findByRole('region', { name: 'Recent requests table' });
    const link = await within(table).findByRole('button', { name: `Show logs for request ${REQ_B}` });
    expect(link.textContent).toBe(REQ_B.slice(0, 8));
    fireEvent.click(link);

    expect(screen.getByRole('tab', { name: 'Logs' }).getAttribute('aria-selected')).toBe('true');
    const region = screen.getByRole('region', { name: 'Logs' });
    expect(within(region).getByRole<HTMLInputElement>('textbox', { name: 'Request ID' }).value).toBe(REQ_B);
    await waitFor(() => expect(lastLogCall(fake)).toEqual({ limit: LOG_LIMIT, requestId: REQ_B }));
    await waitFor(() => expect(shownMessages()).toEqual(['upstream slow', 'provider failed']));
    // The keyboard lands in the Logs view.
    expect(document.activeElement).toBe(screen.getByRole('heading', { name: 'Logs' }));
  });

  it('from a chat answer, shown subtly in its stats line', async () => {
    const fake = withLines([
      {
        ...summary('c1', 'Pools'),
        messageCount: 2,
        messages: [
          message('u1', 'user', 'What is a pool?'),
          message('a1', 'assistant', 'A pool keeps connections.', {
            model: 'llama3.2',
            stats: { tokensPerSecond: 41.5 },
            requestId: REQ_A,
          }),
        ],
      },
    ]);
    mount(fake);
    // Filtered by level before: following a request shows all of its lines.
    fireEvent.click(screen.getByRole('tab', { name: 'Logs' }));
    fireEvent.change(await screen.findByRole('combobox', { name: 'Level' }), { target: { value: 'error' } });
    fireEvent.click(screen.getByRole('tab', { name: 'Chat' }));

    fireEvent.click(await screen.findByRole('button', { name: /^Pools/ }));
    await screen.findByText('A pool keeps connections.');
    const answer = document.querySelector<HTMLElement>('[data-message-id="a1"]')!;
    const id = within(answer).getByRole('button', { name: `Show logs for request ${REQ_A}` });
    expect(id.closest('.msg-footer')?.textContent).toContain('41.5 tok/s');
    expect(id.getAttribute('title')).toContain(REQ_A);
    fireEvent.click(id);

    expect(screen.getByRole('tab', { name: 'Logs' }).getAttribute('aria-selected')).toBe('true');
    expect(screen.getByRole<HTMLSelectElement>('combobox', { name: 'Level' }).value).toBe('all');
    await waitFor(() => expect(lastLogCall(fake)).toEqual({ limit: LOG_LIMIT, requestId: REQ_A }));
    await waitFor(() => expect(shownMessages()).toEqual(['chat answer finished']));
  });
});

describe('log line formatting', () => {
  it('cuts long values and keeps the whole in the tooltip', () => {
    const long = 'x'.repeat(FIELD_CHARS + 50);
    const [f] = fieldViews({ body: long });
    expect(f!.text).toHaveLength(FIELD_CHARS);
    expect(f!.text.endsWith('…')).toBe(true);
    expect(f!.full).toBe(long);
    expect(fieldViews({ n: 3, ok: false, none: null, obj: { a: 1 } }).map((v) => `${v.key}=${v.text}`)).toEqual([
      'n=3',
      'ok=false',
      'none=null',
      'obj={"a":1}',
    ]);
  });

  it('shows the date only for lines of another day', () => {
    const now = new Date(2025, 4, 10, 12, 0, 0).getTime();
    expect(logTime(new Date(2025, 4, 10, 9, 5, 7, 42).getTime(), now)).toBe('09:05:07.042');
    expect(logTime(new Date(2025, 4, 9, 23, 59, 59, 1).getTime(), now)).toBe('2025-05-09 23:59:59.001');
  });
});
