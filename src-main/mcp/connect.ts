// Named apart from undici's Client: this one speaks MCP over a transport; its HTTP goes through the engine's bound fetch.
import { Client as McpClient } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ToolListChangedNotificationSchema, type Tool as McpTool } from '@modelcontextprotocol/sdk/types.js';
import type { McpHttpEntry, McpTransportKind } from '../../src-shared/mcp.js';
import type { BoundFetch } from '../engine/outbound/fetch.js';

/** Pages of tools/list read at most: a server that pages forever is cut off here. */
const MAX_TOOL_PAGES = 20;

export interface Connected {
  readonly client: McpClient;
  readonly transport: Transport;
  /** The transport in use: for an HTTP server, 'sse' when Streamable HTTP was refused. */
  readonly via: McpTransportKind;
  readonly tools: McpTool[];
}

export interface ConnectOptions {
  readonly clientVersion: string;
  /** Bounds initialize and each tools/list page (the SDK's own request timeout). */
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  /** The connection ended (the server exited, or closed the stream). */
  readonly onClose: () => void;
  /** The server says its tools changed. */
  readonly onToolsChanged: () => void;
}

/** Initialize over `transport` and read every page of the tools. */
export async function connect(transport: Transport, via: McpTransportKind, opts: ConnectOptions): Promise<Connected> {
  const client = new McpClient({ name: 'vega', version: opts.clientVersion }, { capabilities: {} });
  client.onclose = opts.onClose;
  // Protocol errors (a stray stdout line) are not fatal; the ones that are end in onclose or a failed request.
  client.onerror = () => undefined;
  const req = { timeout: opts.timeoutMs, signal: opts.signal };
  try {
    await client.connect(transport, req);
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => opts.onToolsChanged());
    return { client, transport, via, tools: await listTools(client, req) };
  } catch (err) {
    await client.close().catch(() => undefined);
    throw err;
  }
}

export async function listTools(client: McpClient, req: { timeout: number; signal?: AbortSignal }): Promise<McpTool[]> {
  const tools: McpTool[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_TOOL_PAGES; page++) {
    const r = await client.listTools(cursor ? { cursor } : undefined, req);
    tools.push(...r.tools);
    cursor = r.nextCursor;
    if (!cursor) break;
  }
  return tools;
}

/**
 * An HTTP server: Streamable HTTP, and, when that is refused with a 4xx (an
 * old server), the SSE transport at the same URL; `type: "sse"` goes
 * straight to SSE. Both use the engine's fetch.
 */
export async function connectHttp(entry: McpHttpEntry, fetch: BoundFetch, opts: ConnectOptions): Promise<Connected> {
  const url = new URL(entry.url);
  const requestInit = { headers: { ...entry.headers } };
  const sse = () => connect(new SSEClientTransport(url, { fetch, requestInit }), 'sse', opts);
  if (entry.type === 'sse') return sse();
  try {
    return await connect(new StreamableHTTPClientTransport(url, { fetch, requestInit }), 'http', opts);
  } catch (err) {
    const status = (err as { code?: unknown }).code;
    if (typeof status === 'number' && status >= 400 && status < 500 && status !== 401 && status !== 403 && !opts.signal.aborted)
      return sse();
    throw err;
  }
}
