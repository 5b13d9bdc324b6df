// @vitest-environment jsdom
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { McpServerFigures, McpServerStatus } from '../../src-shared/mcp.js';
import { DashboardView } from '../../src-renderer/dashboard/DashboardView.js';
import { McpSection } from '../../src-renderer/settings/McpSection.js';
import { fakeApi, resourceSnapshot } from './fake-api.js';
import { dashboardTestHooks, renderWithApi } from './render.js';

dashboardTestHooks();

function figures(name: string, extra: Partial<McpServerFigures> = {}): McpServerFigures {
  return {
    name,
    state: 'ready',
    transport: 'stdio',
    pid: 4242,
    memoryBytes: 70 * 1024 * 1024,
    cpuPercent: 1.5,
    processes: 1,
    tools: 13,
    calls: 3,
    failures: 0,
    p50Ms: 11.4,
    restarts: 0,
    lastError: null,
    fix: null,
    ...extra,
  };
}

describe('Dashboard: MCP servers card', () => {
  it('shows each server from the tick (state, transport, pid, memory, tools, calls, p50), its error with the fix, and restarts one', async () => {
    const fake = fakeApi();
    renderWithApi(fake.connection, <DashboardView visible />);
    await screen.findByRole('region', { name: 'Resource dashboard' });
    const failed = figures('files', {
      state: 'failed',
      pid: null,
      memoryBytes: null,
      cpuPercent: null,
      tools: 0,
      calls: 0,
      lastError: 'It exited with code 1 before it was ready.',
      fix: 'Run the same command in a terminal to see why.',
    });
    act(() =>
      fake.snapshot({
        ...resourceSnapshot(1_000_000),
        mcp: {
          configError: null,
          servers: [figures('everything'), failed, figures('remote', { transport: 'sse', pid: null, memoryBytes: null })],
        },
      }),
    );
    const card = await screen.findByRole('group', { name: 'MCP servers' });
    expect(within(card).getByText('2 of 3 ready')).toBeTruthy();
    const row = within(card).getByText('everything').closest('tr')!;
    expect([...row.querySelectorAll('td')].map((td) => td.textContent)).toEqual([
      'everything',
      'ready',
      'stdio',
      '4242',
      '70.0 MB',
      '1.5 %',
      '13',
      '3',
      '11 ms',
      'Restart',
    ]);
    expect(within(card).getByText('SSE')).toBeTruthy();
    expect(within(card).getByText('It exited with code 1 before it was ready.')).toBeTruthy();
    expect(within(card).getByText(/Run the same command in a terminal/)).toBeTruthy();
    fireEvent.click(within(card).getByRole('button', { name: 'Restart files' }));
    await waitFor(() =>
      expect(fake.calls.filter((c) => c.channel === 'mcp:restart')).toEqual([{ channel: 'mcp:restart', params: { name: 'files' } }]),
    );
  });

  it('a file that cannot be read shows its error; no servers shows where to add one', async () => {
    const fake = fakeApi();
    renderWithApi(fake.connection, <DashboardView visible />);
    await screen.findByRole('region', { name: 'Resource dashboard' });
    act(() =>
      fake.snapshot({
        ...resourceSnapshot(2_000_000),
        mcp: { configError: '/data/mcp.json is not valid JSON (Unexpected token).', servers: [] },
      }),
    );
    const card = await screen.findByRole('group', { name: 'MCP servers' });
    expect(within(card).getByRole('alert').textContent).toContain('is not valid JSON');
    expect(within(card).getByText(/Add one in Settings → MCP servers/)).toBeTruthy();
  });
});

function server(name: string, extra: Partial<McpServerStatus> = {}): McpServerStatus {
  return {
    ...figures(name),
    settings: { name, enabled: true, transport: 'stdio', command: 'npx', args: ['-y', 'server'], env: ['API_TOKEN'], headers: [] },
    toolList: [
      { name: `${name}__read`, tool: 'read', description: 'Reads.', readOnly: true },
      { name: `${name}__delete`, tool: 'delete', description: 'Deletes.', readOnly: false },
    ],
    ...extra,
  };
}

describe('Settings: MCP servers', () => {
  it('lists the servers with their tools (marking those that ask first), toggles and removes one', async () => {
    const fake = fakeApi();
    fake.mcp.status = { configPath: '/data/mcp.json', configError: null, configFix: null, servers: [server('files')] };
    renderWithApi(fake.connection, <McpSection />);
    expect(await screen.findByText('files')).toBeTruthy();
    expect(screen.getByText('npx -y server')).toBeTruthy();
    expect(screen.getByText('2 tools')).toBeTruthy();
    expect(screen.getByText('asks first').closest('li')!.textContent).toContain('files__delete');
    fireEvent.click(screen.getByRole('checkbox', { name: 'Enabled' }));
    await waitFor(() =>
      expect(fake.calls.find((c) => c.channel === 'mcp:save')?.params).toEqual({ action: 'enable', name: 'files', enabled: false }),
    );
    fireEvent.click(screen.getByRole('button', { name: 'Remove' }));
    fireEvent.click(screen.getByRole('button', { name: 'Remove: sure?' }));
    await waitFor(() =>
      expect(fake.calls.filter((c) => c.channel === 'mcp:save').at(-1)?.params).toEqual({ action: 'remove', name: 'files' }),
    );
  });

  it('editing keeps a stored secret unless a new value is typed: its value is sent as null', async () => {
    const fake = fakeApi();
    fake.mcp.status = { configPath: '/data/mcp.json', configError: null, configFix: null, servers: [server('files')] };
    renderWithApi(fake.connection, <McpSection />);
    fireEvent.click(await screen.findByRole('button', { name: 'Edit' }));
    const value = screen.getByLabelText<HTMLInputElement>('Environment variable API_TOKEN value');
    expect(value.value).toBe('');
    expect(value.placeholder).toMatch(/\(set\)/);
    fireEvent.change(screen.getByLabelText('Arguments, one per line'), { target: { value: '-y\nserver\n--verbose' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save server' }));
    await waitFor(() =>
      expect(fake.calls.find((c) => c.channel === 'mcp:save')?.params).toEqual({
        action: 'put',
        name: 'files',
        server: { enabled: true, transport: 'stdio', command: 'npx', args: ['-y', 'server', '--verbose'], env: { API_TOKEN: null } },
      }),
    );
  });

  it('adds an HTTP server with a header, and shows the errors of a refused save by field', async () => {
    const fake = fakeApi();
    fake.mcp.saveErrors = { url: '"url" must be an http:// or https:// URL' };
    renderWithApi(fake.connection, <McpSection />);
    fireEvent.click(await screen.findByRole('button', { name: 'Add server' }));
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'remote' } });
    fireEvent.change(screen.getByLabelText('Runs as'), { target: { value: 'http' } });
    fireEvent.change(screen.getByLabelText('URL'), { target: { value: 'ftp://x' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add header' }));
    fireEvent.change(screen.getByLabelText('Headers header 1 name'), { target: { value: 'Authorization' } });
    fireEvent.change(screen.getByLabelText('Headers header Authorization value'), { target: { value: 'Bearer t' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save server' }));
    expect((await screen.findByRole('alert')).textContent).toBe('"url" must be an http:// or https:// URL');
    expect(fake.calls.find((c) => c.channel === 'mcp:save')?.params).toEqual({
      action: 'put',
      name: 'remote',
      server: { enabled: true, transport: 'http', url: 'ftp://x', headers: { Authorization: 'Bearer t' } },
    });
    // Still open for a fix.
    expect(screen.getByRole('button', { name: 'Save server' })).toBeTruthy();
  });
});
