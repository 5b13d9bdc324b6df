import type { ChatMessage, Conversation } from '../../src-shared/chat.js';
import { VegaError } from '../../src-shared/errors.js';

export interface ExportFile {
  readonly filename: string;
  readonly content: string;
}

const ROLE_HEADINGS: Record<ChatMessage['role'], string> = { system: 'System', user: 'You', assistant: 'Assistant', tool: 'Tool result' };

export function exportConversation(c: Conversation, format: 'markdown' | 'json'): ExportFile {
  const base = `${slug(c.title) || 'conversation'}-${c.createdAt.slice(0, 10)}`;
  if (format === 'json') return { filename: `${base}.json`, content: JSON.stringify({ format: 'vega-conversation', v: 1, conversation: c }, null, 2) + '\n' };
  return { filename: `${base}.md`, content: toMarkdown(c) };
}

function toMarkdown(c: Conversation): string {
  const out = [`# ${oneLine(c.title)}`, '', `_${c.provider} · ${c.model} · started ${c.createdAt}_`, ''];
  if (c.systemPrompt.trim()) out.push('## System', '', c.systemPrompt, '');
  for (const m of c.messages) {
    out.push(`## ${ROLE_HEADINGS[m.role]}`, '');
    if (m.content) out.push(m.content, '');
    for (const call of m.toolCalls ?? []) out.push(`> Tool call \`${call.name}\` (${call.status}): \`${JSON.stringify(call.arguments)}\``, '');
    const notes: string[] = [];
    if (m.partial) notes.push('cut short');
    if (m.error) notes.push(`error: ${m.error.message}`);
    if (m.stats?.evalTokens !== undefined) notes.push(`${m.stats.evalTokens} tokens`);
    if (m.stats?.tokensPerSecond !== undefined) notes.push(`${m.stats.tokensPerSecond} tokens/s`);
    if (notes.length) out.push(`_${notes.join(' · ')}_`, '');
  }
  return out.join('\n');
}

/** The conversation inside a JSON export, checked enough to import safely. */
export function parseJsonExport(content: string): Conversation {
  let v: unknown;
  try {
    v = JSON.parse(content);
  } catch {
    throw new VegaError('BAD_REQUEST', 'That file is not JSON.');
  }
  const c = (v as { format?: unknown; conversation?: unknown } | null)?.conversation as Partial<Conversation> | undefined;
  if ((v as { format?: unknown }).format !== 'vega-conversation' || !c || typeof c.title !== 'string' || !Array.isArray(c.messages)) {
    throw new VegaError('BAD_REQUEST', 'That file is not a Vega conversation export.');
  }
  return c as Conversation;
}

function slug(s: string): string {
  return s.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 48);
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
