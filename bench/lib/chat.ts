import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The chat service has landed: src-main/chat/index.ts is no longer the placeholder and the Ollama stand-in exists. */
export function chatAvailable(): boolean {
  const chat = path.join(root, 'src-main/chat/index.ts');
  if (!existsSync(chat) || !existsSync(path.join(root, 'tests/helpers/ollama-standin.ts'))) return false;
  return !readFileSync(chat, 'utf8').includes('PLACEHOLDER');
}

export const NOT_RUN = 'not run: chat not available';
