import { cleanup, render, type RenderResult } from '@testing-library/react';
import type { ReactElement, ReactNode } from 'react';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { Connection } from '../../src-renderer/api/connection.js';
import { ApiProvider } from '../../src-renderer/api/context.js';
import { ToastProvider } from '../../src-renderer/app/Toasts.js';
import { fakeResizeObserver } from './layout.js';
import { loadLazyViews } from './lazy-views.js';

/** A view as the app mounts it: under the API (a fake one's connection) and the toasts. */
export function withApi(connection: Connection, ui: ReactNode): ReactElement {
  return (
    <ApiProvider connection={connection}>
      <ToastProvider>{ui}</ToastProvider>
    </ApiProvider>
  );
}

export function renderWithApi(connection: Connection, ui: ReactNode): RenderResult {
  return render(withApi(connection, ui));
}

/** For files that mount the dashboard: its lazy charts loaded ahead, a ResizeObserver for Recharts, a clean DOM after each test. */
export function dashboardTestHooks(): void {
  let restoreResizeObserver: () => void;
  beforeAll(async () => {
    await loadLazyViews();
    restoreResizeObserver = fakeResizeObserver();
  });
  afterAll(() => restoreResizeObserver());
  afterEach(cleanup);
}
