import { createHash } from 'node:crypto';
import type { CallToolResult, Tool as McpTool } from '@modelcontextprotocol/sdk/types.js';
import type { McpToolInfo } from '../../src-shared/mcp.js';

/**
 * MCP tools as the model sees them: named `server__tool` (so two servers can
 * both offer `search`) in the characters every provider accepts, approved by
 * their annotations, and their results turned into bounded text.
 */

const MAX_NAME = 64;
const SEPARATOR = '__';
/** Room the server's part of a name may take, so the tool's own name keeps most of the 64. */
const PREFIX_MAX = 24;
/** A tool's result as the model gets it; the turn cuts again at 20 000. */
export const MAX_RESULT_CHARS = 16_000;

function safe(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]/g, '_');
}

/** What the model calls `tool` of `server`: letters, digits, _ and -, at most 64, the same every time. */
export function exposedName(server: string, tool: string): string {
  const name = `${safe(server).slice(0, PREFIX_MAX)}${SEPARATOR}${safe(tool)}`;
  if (name.length <= MAX_NAME && server.length <= PREFIX_MAX && safe(server) === server && safe(tool) === tool) return name;
  // Cut or changed: a short hash of the real names keeps two of them apart.
  const hash = createHash('sha256').update(`${server}\0${tool}`).digest('hex').slice(0, 6);
  return `${name.slice(0, MAX_NAME - 7)}_${hash}`;
}

export function toolInfo(server: string, t: McpTool): McpToolInfo {
  return {
    name: exposedName(server, t.name),
    tool: t.name,
    description: t.description ?? t.title ?? t.annotations?.title ?? '',
    // Only a tool that says it changes nothing runs without asking: a missing hint means it may.
    readOnly: t.annotations?.readOnlyHint === true,
  };
}

/** The model needs an object schema; a server that gives none (or another type) gets an empty one. */
export function parametersOf(t: McpTool): Record<string, unknown> {
  const s = t.inputSchema as Record<string, unknown> | undefined;
  return s && s.type === 'object' ? s : { type: 'object', properties: {} };
}

/**
 * A result as text for the model: text parts as they are, other parts named
 * (an image, a resource), structured content as JSON when nothing else came;
 * cut at MAX_RESULT_CHARS with a note saying so.
 */
export function resultText(result: CallToolResult): string {
  const parts: string[] = [];
  for (const c of result.content ?? []) {
    switch (c.type) {
      case 'text':
        parts.push(c.text);
        break;
      case 'image':
      case 'audio':
        parts.push(`[${c.type}: ${c.mimeType}, ${Math.round((c.data.length * 3) / 4)} bytes]`);
        break;
      case 'resource':
        parts.push('text' in c.resource && typeof c.resource.text === 'string' ? c.resource.text : `[resource: ${c.resource.uri}]`);
        break;
      case 'resource_link':
        parts.push(`[resource link: ${c.uri}${c.name ? ` (${c.name})` : ''}]`);
        break;
      default:
        break;
    }
  }
  if (!parts.length && result.structuredContent) parts.push(JSON.stringify(result.structuredContent));
  const text = parts.join('\n');
  if (text.length <= MAX_RESULT_CHARS) return text;
  return `${text.slice(0, MAX_RESULT_CHARS)}\n[… cut: the tool returned ${text.length} characters; the first ${MAX_RESULT_CHARS} are shown]`;
}
