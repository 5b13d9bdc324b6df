// @vitest-environment jsdom
import { act, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ResourceSnapshot } from '../../src-shared/resources.js';
import { ChartPoints } from '../../src-renderer/dashboard/chart-points.js';
import { DashboardView } from '../../src-renderer/dashboard/DashboardView.js';
import { storageRows } from '../../src-renderer/dashboard/StorageCard.js';
import { fakeApi, resourceSnapshot } from './fake-api.js';
import { dashboardTestHooks, renderWithApi } from './render.js';

dashboardTestHooks();

function mount() {
  const fake = fakeApi();
  renderWithApi(fake.connection, <DashboardView visible />);
  return fake;
}

describe('the Storage card', () => {
  it('shows what the history holds, the disk, and a chart of each operation’s p99 from the pushed snapshots', async () => {
    const fake = mount();
    await screen.findByRole('region', { name: 'Resource dashboard' });
    act(() => {
      // A chart point each: one bucket of the five-minute window apart.
      for (let i = 0; i < 3; i++) fake.snapshot(resourceSnapshot(2_001_000 + i * new ChartPoints(5 * 60_000).bucketMs));
    });
    const card = await screen.findByRole('group', { name: 'Storage' });
    expect(within(card).getByTestId('storage-conversations').textContent).toContain('4');
    expect(within(card).getByTestId('storage-messages').textContent).toContain('30');
    expect(within(card).getByTestId('storage-disk-free').textContent).toContain('80.0 GB');
    expect(card.querySelector('.chart')?.getAttribute('data-points')).toBe('3');
    expect(within(card).queryByRole('alert')).toBeNull();
  });

  it('says what is wrong and the fix when storage is degraded', async () => {
    const fake = mount();
    await screen.findByRole('region', { name: 'Resource dashboard' });
    const base = resourceSnapshot(3_000_000);
    const degraded: ResourceSnapshot = {
      ...base,
      health: 'degraded',
      storage: {
        ...base.storage,
        status: 'degraded',
        failedWrites: 1,
        problem: "The disk holding Vega's data is full (ENOSPC).",
        fix: 'Free some space on the disk holding /data, then try again.',
      },
    };
    act(() => fake.snapshot(degraded));
    const alert = await within(await screen.findByRole('group', { name: 'Storage' })).findByRole('alert');
    expect(alert.textContent).toBe(
      "The disk holding Vega's data is full (ENOSPC). Free some space on the disk holding /data, then try again.",
    );
  });

  it('charts the last second’s p99 per operation', () => {
    const s = resourceSnapshot(1);
    expect(storageRows([s])).toEqual([{ t: 1, list: 80, get: 80, append: 80, fsync: 80 }]);
  });
});
