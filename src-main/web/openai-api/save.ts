import type { IncomingMessage } from 'node:http';
import type { ChatMessage, ProviderId } from '../../../src-shared/chat.js';
import type { VegaApp } from '../../app/create-app.js';
import { newId } from '../../chat/ids.js';
import { messageRecord } from '../../chat/records.js';
import { titleFrom } from '../../chat/service.js';
import type { LlmMessage } from '../../providers/llm.js';

/** The header that asks for a call to be kept in the person's history: `X-Vega-Save: 1`. */
export const SAVE_HEADER = 'x-vega-save';

export function wantsSave(req: IncomingMessage): boolean {
  return req.headers[SAVE_HEADER] === '1';
}

/**
 * Keep one answered call as a new conversation: its system text, the user's
 * and the assistant's messages and the answer. Other apps' calls are theirs
 * by default; only this header puts them beside the person's own chats.
 */
export async function saveExchange(
  app: VegaApp,
  o: { provider: ProviderId; model: string; messages: readonly LlmMessage[]; answer: string; requestId: string },
): Promise<void> {
  const { service } = app.chat;
  const systemPrompt = o.messages
    .filter((m) => m.role === 'system')
    .map((m) => m.content)
    .join('\n\n');
  const firstUser = o.messages.find((m) => m.role === 'user')?.content ?? '';
  const { id } = await service.create({ title: titleFrom(firstUser), model: o.model, provider: o.provider, systemPrompt });
  const createdAt = new Date().toISOString();
  const said = o.messages.filter((m) => m.role === 'user' || (m.role === 'assistant' && m.content));
  const messages: ChatMessage[] = [
    ...said.map((m): ChatMessage => ({ id: newId(), role: m.role, content: m.content, createdAt, requestId: o.requestId })),
    { id: newId(), role: 'assistant', content: o.answer, createdAt, model: o.model, provider: o.provider, requestId: o.requestId },
  ];
  await service.store.append(id, ...messages.map(messageRecord));
}
