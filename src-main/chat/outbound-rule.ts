import type { ChatMessage } from '../../src-shared/chat.js';
import type { ToolRegistry } from './tools.js';

// A URL as a person writes it in a message; trailing punctuation is the sentence's.
const URL_IN_TEXT = /https?:\/\/[^\s<>"'`]+/gi;

/**
 * Outbound data is a state change. A model steered by what it read (a page,
 * a tool's answer) can put what it learnt into a URL and send it out with a
 * tool that only reads. So once the conversation holds tool results, a call
 * that would send a request to a URL the conversation has not seen waits for
 * the person's Approve: the URL that needs it is returned, to be shown whole.
 * Seen means written by the person in one of their messages, or fetched by an
 * earlier call in this conversation; a new host is never seen, and neither is
 * a path or query built from earlier results.
 */
export function unseenTarget(
  tools: ToolRegistry,
  name: string,
  args: Record<string, unknown>,
  messages: readonly ChatMessage[],
): string | undefined {
  const target = normalise(tools.get(name)?.sendsTo?.(args));
  if (target === undefined || !messages.some((m) => m.role === 'tool')) return undefined;
  return seenUrls(tools, messages).has(target) ? undefined : target;
}

function seenUrls(tools: ToolRegistry, messages: readonly ChatMessage[]): Set<string> {
  const seen = new Set<string | undefined>();
  for (const m of messages) {
    if (m.role === 'user') for (const raw of m.content.match(URL_IN_TEXT) ?? []) seen.add(normalise(raw.replace(/[.,;:!?)\]]+$/, '')));
    for (const c of m.toolCalls ?? []) if (c.status === 'done') seen.add(normalise(tools.get(c.name)?.sendsTo?.(c.arguments)));
  }
  seen.delete(undefined);
  return seen as Set<string>;
}

function normalise(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  try {
    const url = new URL(raw.trim());
    url.hash = '';
    return url.href;
  } catch {
    return undefined;
  }
}
