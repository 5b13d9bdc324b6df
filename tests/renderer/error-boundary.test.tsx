// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ErrorBoundary } from '../../src-renderer/app/ErrorBoundary.js';

afterEach(cleanup);

let explode = true;
function Fragile() {
  if (explode) throw new Error('chart data was malformed');
  return <p>recovered</p>;
}

describe('ErrorBoundary', () => {
  it('shows what failed instead of a blank window, and can try again', () => {
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    render(
      <ErrorBoundary label="the dashboard">
        <Fragile />
      </ErrorBoundary>,
    );
    expect(screen.getByRole('alert').textContent).toContain('Something went wrong in the dashboard');
    expect(screen.getByRole('alert').textContent).toContain('chart data was malformed');
    explode = false;
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(screen.getByText('recovered')).toBeTruthy();
    quiet.mockRestore();
  });
});
