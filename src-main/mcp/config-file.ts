import { readFile } from 'node:fs/promises';
import { VegaError } from '../../src-shared/errors.js';
import {
  checkEntry,
  isStdioEntry,
  transportOf,
  type CheckedEntry,
  type McpSaveParams,
  type McpServerEntry,
  type McpServerInput,
  type McpServerSettings,
} from '../../src-shared/mcp.js';
import { writeFileAtomic } from '../engine/atomic-file.js';
import { fileProblem, type Problem } from './errors.js';

/**
 * mcp.json: read and checked entry by entry (one bad server leaves the
 * others running), and changed by Settings one server at a time, written
 * atomically. The raw entries are kept, so saving one server rewrites no
 * other (even one with an error the person has not fixed yet).
 */
export interface McpConfig {
  readonly file: string;
  /** The file as a whole is unusable: nothing in it runs. */
  readonly problem: Problem | null;
  /** In the file's order. */
  readonly servers: ReadonlyMap<string, CheckedEntry>;
  readonly raw: Readonly<Record<string, unknown>>;
}

const TOP_KEYS = ['mcpServers'];

export async function loadConfig(file: string): Promise<McpConfig> {
  const empty = (problem: Problem | null): McpConfig => ({ file, problem, servers: new Map(), raw: {} });
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return empty(null);
    return empty(fileProblem(file, `could not be read (${(err as NodeJS.ErrnoException).code ?? 'error'}).`));
  }
  if (!text.trim()) return empty(null);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return empty(fileProblem(file, `is not valid JSON (${(err as Error).message}).`));
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    return empty(fileProblem(file, 'must hold an object: {"mcpServers": {…}}.'));
  const unknown = Object.keys(doc).filter((k) => !TOP_KEYS.includes(k));
  if (unknown.length) return empty(fileProblem(file, `has an unknown key ${unknown.map((k) => `"${k}"`).join(', ')} (known: mcpServers).`));
  const raw = (doc as { mcpServers?: unknown }).mcpServers ?? {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return empty(fileProblem(file, '"mcpServers" must be an object of servers by name.'));
  const servers = new Map<string, CheckedEntry>();
  for (const [name, entry] of Object.entries(raw)) servers.set(name, checkEntry(entry));
  return { file, problem: null, servers, raw: raw as Record<string, unknown> };
}

export function settingsOf(name: string, e: McpServerEntry): McpServerSettings {
  const base = { name, enabled: !e.disabled, transport: transportOf(e) };
  if (isStdioEntry(e)) return { ...base, command: e.command, args: e.args ?? [], cwd: e.cwd, env: Object.keys(e.env ?? {}), headers: [] };
  return { ...base, url: e.url, env: [], headers: Object.keys(e.headers ?? {}) };
}

/** Every env and header value: the secrets the window never gets and the logs never show. */
export function secretsOf(config: McpConfig): string[] {
  const out: string[] = [];
  for (const c of config.servers.values()) {
    if (!c.ok) continue;
    const map = isStdioEntry(c.entry) ? c.entry.env : c.entry.headers;
    out.push(...Object.values(map ?? {}));
  }
  return out;
}

export interface SaveOutcome {
  readonly errors: Record<string, string>;
  /** The new mcpServers object, when there are no errors. */
  readonly raw?: Record<string, unknown>;
}

/** Apply one Settings change to the raw entries; nothing is written while any field has an error. */
export function applySave(config: McpConfig, p: McpSaveParams): SaveOutcome {
  if (config.problem)
    throw new VegaError('CONFIG_INVALID', `${config.problem.message} Fix it by hand first: Settings will not overwrite it.`);
  const raw = { ...config.raw };
  const stored = (name: string): Record<string, unknown> | undefined => {
    const v = raw[name];
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  };
  if (p.action === 'remove') {
    if (!(p.name in raw)) throw new VegaError('NOT_FOUND', `There is no MCP server named "${p.name}".`);
    delete raw[p.name];
    return { errors: {}, raw };
  }
  if (p.action === 'enable') {
    const entry = stored(p.name);
    if (!entry) throw new VegaError('NOT_FOUND', `There is no MCP server named "${p.name}".`);
    const { disabled: _drop, ...rest } = entry;
    raw[p.name] = p.enabled === false ? { ...rest, disabled: true } : rest;
    return { errors: {}, raw };
  }
  const from = p.previousName ?? p.name;
  if (p.previousName !== undefined && !stored(p.previousName))
    throw new VegaError('NOT_FOUND', `There is no MCP server named "${p.previousName}".`);
  if (from !== p.name && p.name in raw) return { errors: { name: `A server named "${p.name}" exists already.` } };
  if (!p.server) throw new VegaError('BAD_REQUEST', 'A server to put is missing.');
  const built = buildEntry(p.server, stored(from));
  if ('errors' in built) return { errors: built.errors };
  const checked = checkEntry(built.entry);
  if (!checked.ok) return { errors: { [fieldOf(checked.error)]: checked.error } };
  // A rename keeps the server's place in the file.
  const next: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (k === from) next[p.name] = built.entry;
    else next[k] = v;
  }
  if (!(from in raw)) next[p.name] = built.entry;
  return { errors: {}, raw: next };
}

/** The entry as mcp.json holds it; a null env or header value takes the stored one. */
function buildEntry(
  input: McpServerInput,
  previous: Record<string, unknown> | undefined,
): { entry: Record<string, unknown> } | { errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const keep = (
    field: 'env' | 'headers',
    given: Readonly<Record<string, string | null>> | undefined,
  ): Record<string, string> | undefined => {
    if (!given || !Object.keys(given).length) return undefined;
    const old = (previous?.[field] ?? {}) as Record<string, unknown>;
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(given)) {
      if (v !== null) out[k] = v;
      else if (typeof old[k] === 'string') out[k] = old[k];
      else errors[`${field}.${k}`] = `No value is stored for ${k}: enter one.`;
    }
    return out;
  };
  const disabled = input.enabled ? {} : { disabled: true };
  let entry: Record<string, unknown>;
  if (input.transport === 'stdio') {
    if (!input.command?.trim()) errors.command = 'Name the program to start (e.g. npx, node, uvx).';
    const env = keep('env', input.env);
    entry = {
      command: input.command?.trim(),
      ...(input.args?.length ? { args: input.args } : {}),
      ...(env ? { env } : {}),
      ...(input.cwd ? { cwd: input.cwd } : {}),
      ...disabled,
    };
  } else {
    if (!input.url?.trim()) errors.url = "Give the server's address, e.g. http://127.0.0.1:3001/mcp.";
    const headers = keep('headers', input.headers);
    entry = { ...(input.transport === 'sse' ? { type: 'sse' } : {}), url: input.url?.trim(), ...(headers ? { headers } : {}), ...disabled };
  }
  return Object.keys(errors).length ? { errors } : { entry };
}

/** Which form field a checkEntry message is about ("\"url\" must be …" → url). */
function fieldOf(message: string): string {
  return /^"([a-z]+)/.exec(message)?.[1] ?? 'server';
}

export async function writeConfig(file: string, raw: Record<string, unknown>): Promise<void> {
  await writeFileAtomic(file, JSON.stringify({ mcpServers: raw }, null, 2) + '\n');
}
