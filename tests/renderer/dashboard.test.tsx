// @vitest-environment jsdom
import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ResourceSnapshot } from '../../src-shared/resources.js';
import { ChartPoints } from '../../src-renderer/dashboard/chart-points.js';
import { DashboardView } from '../../src-renderer/dashboard/DashboardView.js';
import { fakeApi, resourceSnapshot } from './fake-api.js';
import { dashboardTestHooks, renderWithApi, withApi } from './render.js';

dashboardTestHooks();

/** The fake API's snapshot with the figures a test varies. */
function snap(t: number, over: Partial<{ hits: number; misses: number; clients: number }> = {}): ResourceSnapshot {
  const base = resourceSnapshot(t);
  return {
    ...base,
    manager: { ...base.manager, httpClientsCreated: over.clients ?? base.manager.httpClientsCreated },
    configCache: { ...base.configCache, hits: over.hits ?? base.configCache.hits, misses: over.misses ?? base.configCache.misses },
  };
}

/** One chart point of the default five-minute window: snapshots this far apart each add a point. */
const BUCKET = new ChartPoints(5 * 60_000).bucketMs;

function mount(visible = true) {
  const fake = fakeApi();
  const view = renderWithApi(fake.connection, <DashboardView visible={visible} />);
  return { fake, view };
}

describe('resource dashboard', () => {
  it('is fed by pushed snapshots only: one heading per chart and the totals', async () => {
    const { fake } = mount();
    const region = await screen.findByRole('region', { name: 'Resource dashboard' });
    act(() => {
      for (let i = 0; i < 5; i++) fake.snapshot(snap(1_002_000 + i * BUCKET));
    });
    for (const name of [
      'Connections',
      'Requests per second',
      'Latency (p50/p95)',
      'Config cache hit rate',
      'Health',
      'Process',
      'Loaded models',
    ]) {
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

  it('shows every app process where the host reports them (Electron), and no card where it does not', async () => {
    const { fake } = mount();
    await screen.findByRole('region', { name: 'Resource dashboard' });
    act(() => fake.snapshot(snap(3_000_000)));
    await screen.findByRole('heading', { name: 'Process', level: 3 });
    expect(screen.queryByRole('heading', { name: 'App processes' })).toBeNull();
    act(() =>
      fake.snapshot({
        ...snap(3_001_000),
        appProcesses: [
          { pid: 100, type: 'Browser', cpuPercent: 1.3, memory: 80 * 1024 * 1024 },
          { pid: 101, type: 'Tab', cpuPercent: 0.5, memory: 40 * 1024 * 1024 },
        ],
      }),
    );
    const card = await screen.findByRole('group', { name: 'App processes' });
    expect(card.textContent).toContain('Browser');
    expect(card.textContent).toContain('Tab');
    expect(card.textContent).toContain('1.3 %');
    expect(card.querySelectorAll('tbody tr')).toHaveLength(2);
  });

  it('keeps collecting while hidden and shows the history when opened', async () => {
    const { fake, view } = mount(false);
    act(() => {
      for (let i = 0; i < 8; i++) fake.snapshot(snap(2_001_000 + i * BUCKET));
      // Out of order or repeated: dropped.
      fake.snapshot(snap(2_001_000));
    });
    expect(screen.queryByRole('region', { name: 'Resource dashboard' })).toBeNull();
    view.rerender(withApi(fake.connection, <DashboardView visible />));
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

  it('redraws a chart once per bucket, while the live figures follow every snapshot', async () => {
    const { fake } = mount();
    const t0 = 6_000 * BUCKET;
    act(() => fake.snapshot(snap(t0)));
    const chart = (await screen.findByRole('group', { name: 'Connections' })).querySelector('.chart')!;
    let redraws = 0;
    const watch = new MutationObserver(() => redraws++);
    watch.observe(chart, { subtree: true, childList: true, attributes: true, characterData: true });
    const tick = async (t: number, clients: number) => {
      act(() => fake.snapshot(snap(t, { clients })));
      // Let the observer report what this snapshot changed.
      await new Promise((r) => setTimeout(r, 0));
    };
    // The rest of the first bucket: the strip's figure moves, the chart does not.
    for (let s = 1; s < BUCKET / 1000; s++) await tick(t0 + s * 1000, 1 + s);
    expect(screen.getByTestId('stat-http-clients').querySelector('.stat-value')?.textContent).toBe(String(BUCKET / 1000));
    expect(redraws).toBe(0);
    expect(chart.getAttribute('data-points')).toBe('1');
    // The next bucket opens: one more point.
    await tick(t0 + BUCKET, 99);
    expect(chart.getAttribute('data-points')).toBe('2');
    expect(redraws).toBeGreaterThan(0);
    watch.disconnect();
  });
});
