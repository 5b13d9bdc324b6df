/** How a document's text sits in the message the model reads, and what that costs. */

/** Tokens of a text, estimated as characters / 4 (no tokenizer is at hand for every model; it errs on the safe side for English). */
export function tokensOf(chars: number): number {
  return Math.ceil(chars / 4);
}

/** The header and footer of a block, in tokens: kept back from the window when documents are cut to fit. */
export const BLOCK_OVERHEAD_TOKENS = 32;

const PDF = 'application/pdf';
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/** The language a text file's name suggests: only the header's label, never its type. */
const LABELS: Readonly<Record<string, string>> = {
  md: 'Markdown',
  markdown: 'Markdown',
  csv: 'CSV',
  tsv: 'TSV',
  json: 'JSON',
  jsonl: 'JSON Lines',
  yaml: 'YAML',
  yml: 'YAML',
  toml: 'TOML',
  xml: 'XML',
  html: 'HTML',
  css: 'CSS',
  ts: 'TypeScript',
  tsx: 'TypeScript',
  js: 'JavaScript',
  mjs: 'JavaScript',
  jsx: 'JavaScript',
  py: 'Python',
  rs: 'Rust',
  go: 'Go',
  java: 'Java',
  kt: 'Kotlin',
  c: 'C',
  h: 'C',
  cpp: 'C++',
  cc: 'C++',
  hpp: 'C++',
  cs: 'C#',
  rb: 'Ruby',
  php: 'PHP',
  swift: 'Swift',
  sh: 'shell',
  sql: 'SQL',
};

export function documentLabel(mime: string, name: string): string {
  if (mime === PDF) return 'PDF';
  if (mime === DOCX) return 'DOCX';
  const ext = /\.([A-Za-z0-9]+)$/.exec(name)?.[1]?.toLowerCase();
  return (ext && LABELS[ext]) || 'text';
}

/** A document as the model reads it; `truncatedTo` characters only when the person chose to include the first part. */
export function documentBlock(name: string, label: string, text: string, truncatedTo?: number): string {
  const total = tokensOf(text.length);
  if (truncatedTo !== undefined && truncatedTo < text.length)
    return `--- file: ${name} (${label}, first ~${tokensOf(truncatedTo)} of ~${total} tokens) ---\n${text.slice(0, truncatedTo)}\n--- end of file: ${name} (cut here) ---`;
  return `--- file: ${name} (${label}, ~${total} tokens) ---\n${text}\n--- end of file: ${name} ---`;
}
