import { z } from 'zod';

/**
 * MCP servers: the mcp.json format other clients use (`{"mcpServers": {name:
 * {command, args, env, cwd} | {url, headers}}}`), checked entry by entry so
 * one bad server never hides the others, and what the window may know of
 * them: env and header values are secrets and never cross to it.
 */

/** How Vega talks to a server: a program it starts (stdio), Streamable HTTP (falling back to SSE), or SSE only. */
export const MCP_TRANSPORTS = ['stdio', 'http', 'sse'] as const;
export type McpTransportKind = (typeof MCP_TRANSPORTS)[number];

export type McpServerState = 'starting' | 'ready' | 'failed' | 'restarting' | 'disabled';

const MAX_ENTRIES = 64;
const MAX_VALUE = 4096;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;
export const MCP_SERVER_NAME = /^[^\s/\\"'`<>]{1,64}$/;

const line = (max: number) =>
  z
    .string()
    .max(max)
    .refine((s) => !/[\r\n\0]/.test(s), 'must be one line');

/** Names that would reach an object's prototype when copied: refused, never merged. */
const PROTO_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * A map of names to values, checked on the raw object (z.record would drop a
 * `__proto__` key quietly). `nullable`: a null value keeps what is stored
 * (the window never has the secret to send back).
 */
function stringMap<N extends boolean>(namePattern: RegExp, what: string, nullable: N) {
  return z.custom<Record<string, N extends true ? string | null : string>>(
    (v) =>
      typeof v === 'object' &&
      v !== null &&
      !Array.isArray(v) &&
      Object.keys(v).length <= MAX_ENTRIES &&
      Object.entries(v).every(
        ([k, x]) =>
          namePattern.test(k) &&
          !PROTO_KEYS.has(k) &&
          ((nullable && x === null) || (typeof x === 'string' && x.length <= MAX_VALUE && !/[\r\n\0]/.test(x))),
      ),
    `${what} must map at most ${MAX_ENTRIES} names to one-line strings`,
  );
}

const httpUrl = z
  .string()
  .max(2048)
  .refine((s) => {
    try {
      const u = new URL(s);
      return u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'must be an http:// or https:// URL');

const common = { disabled: z.boolean().optional() };

/** A server Vega starts: the program and its arguments, environment and folder. */
export const McpStdioEntry = z.strictObject({
  type: z.literal('stdio').optional(),
  command: line(1024).min(1, 'must name the program to start'),
  args: z.array(line(MAX_VALUE)).max(256).optional(),
  env: stringMap(ENV_NAME, 'env', false).optional(),
  cwd: line(1024).optional(),
  ...common,
});

/** A server Vega reaches at a URL. `type: "sse"` skips Streamable HTTP for a server that only speaks the old SSE transport. */
export const McpHttpEntry = z.strictObject({
  type: z.enum(['http', 'sse', 'streamable-http']).optional(),
  url: httpUrl,
  headers: stringMap(HEADER_NAME, 'headers', false).optional(),
  ...common,
});

export type McpStdioEntry = z.infer<typeof McpStdioEntry>;
export type McpHttpEntry = z.infer<typeof McpHttpEntry>;
export type McpServerEntry = McpStdioEntry | McpHttpEntry;

export function isStdioEntry(e: McpServerEntry): e is McpStdioEntry {
  return 'command' in e;
}

export function transportOf(e: McpServerEntry): McpTransportKind {
  return isStdioEntry(e) ? 'stdio' : e.type === 'sse' ? 'sse' : 'http';
}

/** One entry checked: the entry, or the sentence saying what is wrong with it. */
export type CheckedEntry = { readonly ok: true; readonly entry: McpServerEntry } | { readonly ok: false; readonly error: string };

export function checkEntry(raw: unknown): CheckedEntry {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return { ok: false, error: 'must be an object with a "command" or a "url"' };
  const hasCommand = 'command' in raw;
  const hasUrl = 'url' in raw;
  if (hasCommand && hasUrl)
    return {
      ok: false,
      error: 'has both "command" and "url": give a command (a program Vega starts) or a url (a server it reaches), not both',
    };
  const unknownKeys = (keys: string[], known: string[]) =>
    `has an unknown key ${keys.map((k) => `"${k}"`).join(', ')} (known: ${known.join(', ')})`;
  if (!hasCommand && !hasUrl) {
    const known = [...new Set([...Object.keys(McpStdioEntry.shape), ...Object.keys(McpHttpEntry.shape)])];
    const typos = Object.keys(raw).filter((k) => !known.includes(k));
    return {
      ok: false,
      error: typos.length ? unknownKeys(typos, known) : 'needs a "command" (a program Vega starts) or a "url" (a server it reaches)',
    };
  }
  const schema = hasCommand ? McpStdioEntry : McpHttpEntry;
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, entry: parsed.data };
  const issue = parsed.error.issues[0];
  if (issue?.code === 'unrecognized_keys') return { ok: false, error: unknownKeys(issue.keys, Object.keys(schema.shape)) };
  const where = issue?.path.length ? `"${issue.path.join('.')}" ` : '';
  return { ok: false, error: `${where}${issue?.message ?? 'is not valid'}` };
}

/** A server's settings as the window sees them: the names of env variables and headers, never their values. */
export interface McpServerSettings {
  readonly name: string;
  readonly enabled: boolean;
  readonly transport: McpTransportKind;
  readonly command?: string;
  readonly args?: readonly string[];
  readonly cwd?: string;
  readonly url?: string;
  readonly env: readonly string[];
  readonly headers: readonly string[];
}

export interface McpToolInfo {
  /** What the model calls it: `server__tool`. */
  readonly name: string;
  /** The server's own name for it. */
  readonly tool: string;
  readonly description: string;
  /** Declared read-only (`readOnlyHint`): runs without asking. Anything else waits for Approve. */
  readonly readOnly: boolean;
}

/** One server's live figures: the dashboard tick's part for it. */
export interface McpServerFigures {
  readonly name: string;
  readonly state: McpServerState;
  readonly transport: McpTransportKind;
  /** The stdio server's process; null for HTTP servers and while none runs. */
  readonly pid: number | null;
  /** Resident memory of the process and its descendants, bytes; null where /proc is not available. */
  readonly memoryBytes: number | null;
  /** Percent of one core used by the process tree since the previous figure. */
  readonly cpuPercent: number | null;
  /** Processes in the tree (the server and its children). */
  readonly processes: number;
  readonly tools: number;
  readonly calls: number;
  readonly failures: number;
  readonly p50Ms: number;
  /** Restarts after a crash since Vega started. */
  readonly restarts: number;
  readonly lastError: string | null;
  /** What the person can do about `lastError`. */
  readonly fix: string | null;
}

export interface McpSnapshot {
  readonly servers: readonly McpServerFigures[];
  /** mcp.json itself is unreadable: nothing in it runs. */
  readonly configError: string | null;
}

export interface McpServerStatus extends McpServerFigures {
  /** Null when the entry itself is invalid (the error says why). */
  readonly settings: McpServerSettings | null;
  readonly toolList: readonly McpToolInfo[];
}

export interface McpStatus {
  /** Where the configuration lives (VEGA_MCP_CONFIG, default mcp.json in the data folder). */
  readonly configPath: string;
  readonly configError: string | null;
  readonly configFix: string | null;
  readonly servers: readonly McpServerStatus[];
}

const serverName = z.string().regex(MCP_SERVER_NAME, 'a name of 1-64 characters without spaces, slashes or quotes');

/** A server as the window sends it: a null env or header value keeps the stored one. */
const serverInput = z.strictObject({
  enabled: z.boolean(),
  transport: z.enum(MCP_TRANSPORTS),
  command: line(1024).optional(),
  args: z.array(line(MAX_VALUE)).max(256).optional(),
  cwd: line(1024).optional(),
  url: line(2048).optional(),
  env: stringMap(ENV_NAME, 'env', true).optional(),
  headers: stringMap(HEADER_NAME, 'headers', true).optional(),
});
export type McpServerInput = z.infer<typeof serverInput>;

/**
 * One change: `put` adds a server or changes one (`previousName` renames
 * it), `remove`, or `enable` (on or off). One flat strict object, each
 * action's fields checked below, so every field has one schema.
 */
export const McpSaveParams = z
  .strictObject({
    action: z.enum(['put', 'remove', 'enable']),
    name: serverName,
    previousName: serverName.optional(),
    server: serverInput.optional(),
    enabled: z.boolean().optional(),
  })
  .superRefine((p, ctx) => {
    const need = (field: 'server' | 'enabled', when: boolean) => {
      if (when && p[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: `is required to ${p.action} a server` });
      if (!when && p[field] !== undefined) ctx.addIssue({ code: 'custom', path: [field], message: `is not taken by ${p.action}` });
    };
    need('server', p.action === 'put');
    need('enabled', p.action === 'enable');
    if (p.previousName !== undefined && p.action !== 'put')
      ctx.addIssue({ code: 'custom', path: ['previousName'], message: `is not taken by ${p.action}` });
  });
export type McpSaveParams = z.input<typeof McpSaveParams>;

export interface McpSaveResult {
  readonly saved: boolean;
  /** Per field (`name`, `command`, `url`, …), what is wrong with it. */
  readonly errors: Readonly<Record<string, string>>;
  readonly status: McpStatus;
}

export const McpRestartParams = z.strictObject({ name: serverName });
