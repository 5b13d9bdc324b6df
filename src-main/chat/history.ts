import type { ChatMessage } from '../../src-shared/chat.js';
import type { LlmMessage } from '../providers/llm.js';

/**
 * The history as the model reads it. An answer that failed before its first
 * token is left out (there is nothing to read); a tool call whose result never
 * came (a crash while it waited) gets one, as servers refuse a call without a result.
 */
export function toLlmMessages(systemPrompt: string, messages: readonly ChatMessage[]): LlmMessage[] {
  const out: LlmMessage[] = [];
  if (systemPrompt.trim()) out.push({ role: 'system', content: systemPrompt });
  const answered = new Set(messages.filter((m) => m.role === 'tool' && m.toolCallId).map((m) => m.toolCallId));
  for (const m of messages) {
    switch (m.role) {
      case 'system':
        out.push({ role: m.role, content: m.content });
        break;
      case 'user':
        out.push({ role: m.role, content: m.content, ...(m.attachments?.length ? { attachments: m.attachments } : {}) });
        break;
      case 'assistant': {
        const calls = m.toolCalls ?? [];
        if (!m.content && !calls.length) break;
        out.push({
          role: 'assistant',
          content: m.content,
          ...(calls.length ? { toolCalls: calls.map((c) => ({ id: c.id, name: c.name, arguments: c.arguments })) } : {}),
        });
        for (const c of calls) {
          if (!answered.has(c.id))
            out.push({ role: 'tool', content: 'This call was interrupted and did not run.', toolCallId: c.id, toolName: c.name });
        }
        break;
      }
      case 'tool': {
        const call = messages.flatMap((x) => x.toolCalls ?? []).find((c) => c.id === m.toolCallId);
        out.push({ role: 'tool', content: m.content, toolCallId: m.toolCallId, toolName: call?.name });
        break;
      }
    }
  }
  return out;
}
