import type { AttachmentFile } from '../../src-shared/attachments.js';
import type { ChatMessage, Conversation } from '../../src-shared/chat.js';

export interface ExportFile {
  readonly filename: string;
  readonly content: string;
}

const ROLE_HEADINGS: Record<ChatMessage['role'], string> = { system: 'System', user: 'You', assistant: 'Assistant', tool: 'Tool result' };

/**
 * JSON carries the attached files (base64, by id) when `files` is given;
 * Markdown links each file to where Vega keeps it: `attachments/<sha256>` in the data folder.
 */
export function exportConversation(c: Conversation, format: 'markdown' | 'json', files?: ReadonlyMap<string, AttachmentFile>): ExportFile {
  const base = `${slug(c.title) || 'conversation'}-${c.createdAt.slice(0, 10)}`;
  if (format === 'json') {
    const attached = files?.size ? { files: Object.fromEntries(files) } : {};
    return {
      filename: `${base}.json`,
      content: JSON.stringify({ format: 'vega-conversation', v: 1, conversation: c, ...attached }, null, 2) + '\n',
    };
  }
  return { filename: `${base}.md`, content: toMarkdown(c) };
}

function toMarkdown(c: Conversation): string {
  const out = [`# ${oneLine(c.title)}`, '', `_${c.provider} · ${c.model} · started ${c.createdAt}_`, ''];
  if (c.systemPrompt.trim()) out.push('## System', '', c.systemPrompt, '');
  for (const m of c.messages) {
    out.push(`## ${ROLE_HEADINGS[m.role]}`, '');
    if (m.content) out.push(m.content, '');
    for (const a of m.attachments ?? [])
      out.push(`📎 [${a.name.replace(/[[\]\\]/g, '\\$&')}](attachments/${a.id}) (${a.mime}, ${a.size} bytes)`, '');
    for (const call of m.toolCalls ?? [])
      out.push(`> Tool call \`${call.name}\` (${call.status}): \`${JSON.stringify(call.arguments)}\``, '');
    const notes: string[] = [];
    if (m.partial) notes.push('cut short');
    if (m.error) notes.push(`error: ${m.error.message}`);
    if (m.stats?.evalTokens !== undefined) notes.push(`${m.stats.evalTokens} tokens`);
    if (m.stats?.tokensPerSecond !== undefined) notes.push(`${m.stats.tokensPerSecond} tokens/s`);
    if (notes.length) out.push(`_${notes.join(' · ')}_`, '');
  }
  return out.join('\n');
}

function slug(s: string): string {
  return s
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48);
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
