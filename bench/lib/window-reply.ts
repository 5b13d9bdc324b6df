/**
 * An answer shaped like a model's (paragraphs, a list, a fenced code block,
 * over and over) that the Ollama stand-in cuts into exactly `n` tokens: its
 * tokens are the whitespace-led words. The window has real Markdown to
 * parse and code to highlight, as it does for a person.
 */

export const FIRST_TOKEN = 'Start-of-answer';
export const LAST_TOKEN = 'End-of-answer';

const BLOCKS = [
  'The pool keeps one connection per origin open and reuses it for the next request, so a second call skips the handshake and starts sending at once.',
  '- **Retries** only for idempotent calls\n- a *deadline* for the whole call\n- one log line per attempt with `requestId`',
  '```ts\nexport async function withRetry<T>(f: () => Promise<T>, tries = 3): Promise<T> {\n  for (let i = 1; ; i++) {\n    try {\n      return await f();\n    } catch (err) {\n      if (i >= tries) throw err;\n    }\n  }\n}\n```',
  'A response that fails validation is an error with a code, never a crash: the caller decides whether to retry, and the history keeps what arrived.',
];

export function markdownReplyOf(n: number): string {
  let text = FIRST_TOKEN;
  // The stand-in's cut (tests/helpers/ollama-standin.ts): each token is a word with the whitespace before it.
  let tokens = 1;
  for (let b = 0; tokens < n - 1; b++) {
    for (const t of `\n\n${BLOCKS[b % BLOCKS.length]!}`.match(/\s*\S+/g) ?? []) {
      if (tokens >= n - 1) break;
      text += t;
      tokens++;
    }
  }
  return n > 1 ? `${text} ${LAST_TOKEN}` : text;
}
