// @vitest-environment jsdom
import { act, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { EndpointStats } from '../../src-shared/resources.js';
import { DashboardView } from '../../src-renderer/dashboard/DashboardView.js';
import { fakeApi, resourceSnapshot } from './fake-api.js';
import { dashboardTestHooks, renderWithApi } from './render.js';

dashboardTestHooks();

const endpoint = (url: string, o: Partial<EndpointStats> = {}): EndpointStats => ({
  provider: 'ollama',
  url,
  weight: 1,
  state: 'up',
  models: ['llama3.2:latest', 'qwen3:8b'],
  loadedModels: ['llama3.2:latest'],
  running: 2,
  ttftP50Ms: 180,
  tokensPerSecond: 41.5,
  errors: 0,
  turns: 30,
  share: 0.6,
  lastError: null,
  ...o,
});

describe('the Fleet card', () => {
  it('appears only with several servers, and shows each one’s state, load, speed and share', async () => {
    const fake = fakeApi();
    renderWithApi(fake.connection, <DashboardView visible />);
    await screen.findByRole('region', { name: 'Resource dashboard' });
    act(() => fake.snapshot(resourceSnapshot(1_000_000)));
    expect(screen.queryByRole('group', { name: 'Fleet' })).toBeNull();
    act(() =>
      fake.snapshot({
        ...resourceSnapshot(1_001_000),
        endpoints: [
          endpoint('http://gpu-1:11434', { weight: 2 }),
          endpoint('http://gpu-2:11434', {
            state: 'breaker-open',
            errors: 3,
            turns: 20,
            share: 0.4,
            lastError: 'not reachable',
            ttftP50Ms: null,
            tokensPerSecond: null,
            loadedModels: [],
          }),
        ],
      }),
    );
    const card = await screen.findByRole('group', { name: 'Fleet' });
    const [first, second] = within(card).getAllByTestId('fleet-row');
    expect(first!.textContent).toContain('http://gpu-1:11434 ×2');
    expect(first!.textContent).toContain('up');
    expect(first!.textContent).toContain('41.5');
    expect(first!.textContent).toContain('60% (30)');
    expect(within(second!).getByText('breaker open').getAttribute('title')).toBe('not reachable');
    expect(second!.textContent).toContain('40% (20)');
  });
});
