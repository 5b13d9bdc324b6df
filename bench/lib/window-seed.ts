/**
 * A big history for the window section, written straight into a data
 * folder in the history store's own on-disk format (one JSONL file of
 * records per conversation, src-main/chat/records.ts): a thousand short
 * conversations and one long one, written in well under a second where
 * creating them through the API would take minutes of synced appends.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ChatMessage } from '../../src-shared/chat.js';
import type { HeaderRecord, MessageRecord } from '../../src-main/chat/records.js';
import { ChatService } from '../../src-main/chat/service.js';

export const LONG_TITLE = 'Long conversation (2,000 messages)';

export interface SeededHistory {
  /** The id of the long conversation's newest message (it is rendered with data-message-id). */
  readonly newestMessageId: string;
}

const MINUTE = 60_000;

const USER_TEXT = (n: number) =>
  `Question ${n}: how would you structure a small TypeScript service that reads a config file, retries a flaky HTTP call and logs what it did?`;

/** An answer of the size and shape a model gives: paragraphs, a list, every fifth one a code block. */
const ANSWER_TEXT = (n: number) =>
  [
    `Answer ${n}. Keep the pieces small and named for what they hold: a config module that reads and validates the file once, a client that owns retries, and a logger passed to both.`,
    '',
    '- Validate the file with a schema at the boundary, so a typo fails at start with a clear message.',
    '- Retry only idempotent calls, with a capped exponential backoff and a deadline for the whole call.',
    '- Log one line per attempt with the request id, never the secrets in the headers.',
    '',
    ...(n % 5 === 0
      ? [
          '```ts',
          'export async function withRetry<T>(f: () => Promise<T>, tries = 3): Promise<T> {',
          '  for (let i = 1; ; i++) {',
          '    try {',
          '      return await f();',
          '    } catch (err) {',
          '      if (i >= tries) throw err;',
          '      await new Promise((r) => setTimeout(r, 100 * 2 ** i));',
          '    }',
          '  }',
          '}',
          '```',
          '',
        ]
      : []),
    'That keeps each part testable on its own, against a real socket rather than a mock.',
  ].join('\n');

function messageLine(id: string, at: string, message: ChatMessage): string {
  // type, id and at first: the store's listing reads them without parsing the message.
  const r: MessageRecord = { type: 'message', id, at, message };
  return JSON.stringify(r);
}

function conversationFile(id: string, title: string, messages: number, start: number): { text: string; end: number } {
  const createdAt = new Date(start).toISOString();
  const header: HeaderRecord = { type: 'header', v: 1, id, title, model: 'llama3.2', provider: 'ollama', systemPrompt: '', createdAt };
  const lines = [JSON.stringify(header)];
  let t = start;
  for (let i = 0; i < messages; i++) {
    t += 1_000;
    const at = new Date(t).toISOString();
    const user = i % 2 === 0;
    const message: ChatMessage = user
      ? { id: `${id}-m${i}`, role: 'user', content: USER_TEXT(i), createdAt: at }
      : { id: `${id}-m${i}`, role: 'assistant', content: ANSWER_TEXT(i), createdAt: at, model: 'llama3.2', provider: 'ollama' };
    lines.push(messageLine(message.id, at, message));
  }
  return { text: lines.join('\n') + '\n', end: t };
}

/**
 * `short` conversations of `shortMessages` messages each, then one of
 * `longMessages`, the newest (first in the list, as the one a person reopens).
 */
export function seedHistory(dataDir: string, o: { short: number; shortMessages: number; longMessages: number }): SeededHistory {
  const dir = ChatService.dirFor(dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // A month ago, ten minutes apart: the list shows a spread of relative times.
  let t = Date.now() - 30 * 24 * 60 * MINUTE;
  for (let c = 0; c < o.short; c++) {
    const id = `bench-c${String(c).padStart(4, '0')}`;
    const f = conversationFile(id, `Conversation ${c + 1} about retries and config`, o.shortMessages, t);
    writeFileSync(path.join(dir, `${id}.jsonl`), f.text, { mode: 0o600 });
    t += 10 * MINUTE;
  }
  const id = 'bench-long';
  const f = conversationFile(id, LONG_TITLE, o.longMessages, Math.max(t, Date.now() - o.longMessages * 1_000 - MINUTE));
  writeFileSync(path.join(dir, `${id}.jsonl`), f.text, { mode: 0o600 });
  return { newestMessageId: `${id}-m${o.longMessages - 1}` };
}
