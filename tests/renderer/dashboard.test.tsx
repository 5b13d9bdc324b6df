// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ResourceSnapshot } from '../../src-shared/resources.js';
import { ApiProvider } from '../../src-renderer/api/context.js';
import { ToastProvider } from '../../src-renderer/app/Toasts.js';
import { DashboardView } from '../../src-renderer/dashboard/DashboardView.js';
import { fakeApi } from './fake-api.js';

// Recharts sizes charts with ResizeObserver, which jsdom lacks: a no-op is enough here.
const hadRO = 'ResizeObserver' in globalThis;
beforeAll(() => {
  if (!hadRO)
    (globalThis as unknown as { ResizeObserver: unknown }).ResizeObserver = class {
      observe() {}
      unobserve() {}
      disconnect() {}
    };
});
afterAll(() => {
  if (!hadRO) delete (globalThis as unknown as { ResizeObserver?: unknown }).ResizeObserver;
});
afterEach(cleanup);

function snap(t: number, over: Partial<{ hits: number; misses: number; clients: number }> = {}): ResourceSnapshot {
  const lat = { p50: 12, p95: 40, p99: 80 };
  return {
    t,
    manager: {
      httpClientsCreated: over.clients ?? 1,
      httpRequestsMade: 42,
      httpRequestsFailed: 0,
      httpInFlight: 0,
      scopedInUse: 0,
      connectionsOpened: 2,
      connectionsClosed: 0,
      connectionLimit: 100,
      configCacheHits: over.hits ?? 9,
      configCacheMisses: over.misses ?? 1,
      configCacheHitRate: 90,
      cleanupTasksRegistered: 4,
      startupTime: 0,
      shutdownTime: null,
      uptimeSeconds: 75,
    },
    origins: [
      {
        origin: 'http://127.0.0.1:11434',
        pool: { connected: 2, free: 1, pending: 0, queued: 0, running: 1, size: 2 },
        requests: 42,
        failed: 0,
        inFlight: 1,
        connectionsOpened: 2,
        connectionsClosed: 0,
        rps: 3,
        windowMs: lat,
        totalMs: lat,
      },
    ],
    configCache: { hits: over.hits ?? 9, misses: over.misses ?? 1, hitRate: 90, cacheAgeSeconds: 12, cached: true, loads: 1, degraded: false, lastError: null },
    llm: { turns: 3, failed: 0, tokens: 300, ttftMs: lat, lastTokensPerSecond: 55.5 },
    process: { rss: 90 * 1024 * 1024, heapUsed: 20 * 1024 * 1024, heapTotal: 34 * 1024 * 1024, eventLoopDelayP50Ms: 1, eventLoopDelayP99Ms: 4 },
    health: 'healthy',
  };
}

function mount(visible = true) {
  const fake = fakeApi();
  const view = render(
    <ApiProvider connection={fake.connection}>
      <ToastProvider>
        <DashboardView visible={visible} />
      </ToastProvider>
    </ApiProvider>,
  );
  return { fake, view };
}

describe('resource dashboard', () => {
  it('is fed by pushed snapshots only: one heading per chart and the totals', async () => {
    const { fake } = mount();
    const region = await screen.findByRole('region', { name: 'Resource dashboard' });
    act(() => {
      for (let i = 0; i < 5; i++) fake.snapshot(snap(1_000_000 + i * 1000));
    });
    for (const name of ['Connections', 'Requests per second', 'Latency (p50/p95)', 'Config cache hit rate', 'Health', 'Process', 'Loaded models']) {
      expect(await screen.findByRole('heading', { name, level: 3 })).toBeTruthy();
    }
    expect(region.querySelector('[data-testid="stat-http-clients"] .stat-value')?.textContent).toBe('1');
    expect(screen.getByTestId('cache-hits').textContent).toContain('9');
    const connections = screen.getByRole('group', { name: 'Connections' }).querySelector('.chart');
    expect(connections?.getAttribute('data-points')).toBe('5');
    // Never polled: the fake's snapshot() throws if called.
    expect(fake.calls.some((c) => c.channel === 'resources:snapshot')).toBe(false);
    // Providers and health: asked once on open.
    await waitFor(() => expect(fake.calls.filter((c) => c.channel === 'resources:providers')).toHaveLength(1));
  });

  it('keeps collecting while hidden and shows the history when opened', async () => {
    const { fake, view } = mount(false);
    act(() => {
      for (let i = 0; i < 8; i++) fake.snapshot(snap(2_000_000 + i * 1000));
      // Out of order or repeated: dropped.
      fake.snapshot(snap(2_000_000));
    });
    expect(screen.queryByRole('region', { name: 'Resource dashboard' })).toBeNull();
    view.rerender(
      <ApiProvider connection={fake.connection}>
        <ToastProvider>
          <DashboardView visible />
        </ToastProvider>
      </ApiProvider>,
    );
    const group = await screen.findByRole('group', { name: 'Connections' });
    expect(group.querySelector('.chart')?.getAttribute('data-points')).toBe('8');
  });

  it('Invalidate cache calls the host and confirms with a toast', async () => {
    const { fake } = mount();
    act(() => fake.snapshot(snap(3_000_000)));
    fireEvent.click(await screen.findByRole('button', { name: 'Invalidate cache' }));
    expect(await screen.findByText('Configuration cache invalidated')).toBeTruthy();
    expect(fake.calls.filter((c) => c.channel === 'resources:invalidateCache')).toHaveLength(1);
  });

  it('flags a second HTTP client', async () => {
    const { fake } = mount();
    act(() => fake.snapshot(snap(4_000_000, { clients: 2 })));
    expect((await screen.findByTestId('stat-http-clients')).textContent).toContain('expected exactly 1');
  });
});
