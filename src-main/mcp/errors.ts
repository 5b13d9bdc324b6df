import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { VegaError } from '../../src-shared/errors.js';
import { DeadlineError } from '../engine/deadline.js';
import type { ExitInfo } from './stdio.js';

/** What went wrong with a server, and what the person can do about it: the card and health show both. */
export interface Problem {
  readonly message: string;
  readonly fix: string;
}

const EDIT = 'Edit it in Settings → MCP servers (or in mcp.json).';

export function entryProblem(error: string): Problem {
  return { message: `Its entry in mcp.json ${error}.`, fix: EDIT };
}

export function fileProblem(file: string, why: string): Problem {
  return {
    message: `${file} ${why}`,
    fix: 'Correct the file (Settings → MCP servers shows each entry), or remove it: nothing in it runs until then.',
  };
}

/** A program that could not be started at all: no retry will help. */
export function spawnProblem(command: string, err: unknown): Problem {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT')
    return {
      message: `"${command}" was not found (no such program or folder).`,
      fix: `Install it, or give its full path as "command" (Vega looks it up in PATH); check "cwd". ${EDIT}`,
    };
  if (code === 'EACCES')
    return {
      message: `"${command}" is not allowed to run (EACCES).`,
      fix: 'Make it executable (chmod +x), or start it through its interpreter (e.g. "node" with the script in "args").',
    };
  return { message: `"${command}" could not be started: ${err instanceof Error ? err.message : String(err)}.`, fix: EDIT };
}

export function exitText(info: ExitInfo): string {
  return info.signal ? `was ended by ${info.signal}` : `exited with code ${info.code}`;
}

/** The server ended before it was ready: its last stderr line usually says why. */
export function earlyExitProblem(info: ExitInfo, lastWords: string | undefined): Problem {
  return {
    message: `It ${exitText(info)} before it was ready${lastWords ? `: ${lastWords}` : '.'}`,
    fix: 'Run the same command in a terminal to see why; check its "args" and "env". The Logs view has its output.',
  };
}

export function crashProblem(info: ExitInfo): Problem {
  return {
    message: `It ${exitText(info)} while in use.`,
    fix: 'If it keeps stopping, its own lines in the Logs view (search its name) say why; Restart tries again at once.',
  };
}

/** A failure while connecting (initialize) or listing tools. */
export function startProblem(err: unknown, startMs: number): Problem {
  if (err instanceof DeadlineError || (err instanceof McpError && err.code === (ErrorCode.RequestTimeout as number)))
    return {
      message: `It did not finish starting within ${startMs / 1000} s (no answer to initialize or tools/list).`,
      fix: 'Check that the command starts an MCP server that speaks stdio (not one waiting for input); a first "npx" run may still be downloading — Restart tries again.',
    };
  if (err instanceof VegaError) {
    return {
      message: err.message,
      fix: err.code === 'PROVIDER_UNREACHABLE' ? 'Start the server, or correct its "url".' : 'Check the server\'s "url" and "headers".',
    };
  }
  const status = httpStatus(err);
  if (status === 401 || status === 403)
    return {
      message: `The server refused Vega (HTTP ${status}).`,
      fix: 'Add the credentials it expects to its "headers" (e.g. Authorization: Bearer …).',
    };
  if (status === 404 || status === 405)
    return {
      message: `There is no MCP endpoint at this url (HTTP ${status}, with Streamable HTTP and SSE).`,
      fix: 'Check the path: servers usually answer at /mcp (Streamable HTTP) or /sse (SSE).',
    };
  if (isSchemaError(err))
    return {
      message: `Its answer does not follow the MCP protocol: ${shortSchemaMessage(err)}.`,
      fix: 'The server is broken or too old/new for this Vega; update it, or disable it.',
    };
  return { message: `It failed while starting: ${messageOf(err)}`, fix: 'The Logs view has its output; Restart tries again.' };
}

/** A tool call's failure as a typed error the turn shows the model and the person. */
export function callError(err: unknown, server: string, tool: string, timeoutMs: number): VegaError {
  if (err instanceof VegaError) return err;
  if (err instanceof DeadlineError || (err instanceof McpError && err.code === (ErrorCode.RequestTimeout as number)))
    return new VegaError('TIMEOUT', `MCP server "${server}" did not answer ${tool} within ${Math.round(timeoutMs / 1000)} s.`, {
      cause: err,
    });
  if ((err as { name?: unknown } | null)?.name === 'AbortError') return new VegaError('ABORTED', 'Stopped.', { cause: err });
  if (err instanceof McpError && err.code === (ErrorCode.ConnectionClosed as number))
    return new VegaError('PROVIDER_ERROR', `MCP server "${server}" stopped during the call to ${tool}; Vega restarts it — try again.`, {
      cause: err,
    });
  if (err instanceof McpError)
    return new VegaError('PROVIDER_ERROR', `MCP server "${server}" refused ${tool}: ${stripMcpPrefix(err.message)}`, { cause: err });
  if (isSchemaError(err))
    return new VegaError(
      'PROVIDER_ERROR',
      `MCP server "${server}" sent an answer to ${tool} that is not valid MCP: ${shortSchemaMessage(err)}.`,
      { cause: err },
    );
  return new VegaError('PROVIDER_ERROR', `MCP server "${server}" failed on ${tool}: ${messageOf(err)}`, { cause: err });
}

function httpStatus(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' && code >= 400 && code < 600 ? code : undefined;
}

/** An answer that does not follow the protocol (the SDK's schema check refused it). */
export function isSchemaError(err: unknown): boolean {
  return (
    Array.isArray((err as { issues?: unknown } | null)?.issues) ||
    (err instanceof McpError && err.code === (ErrorCode.InvalidParams as number) && /schema|invalid/i.test(err.message))
  );
}

function shortSchemaMessage(err: unknown): string {
  const issues = (err as { issues?: { path?: PropertyKey[]; message?: string }[] }).issues;
  const first = issues?.[0];
  if (first) return `${first.path?.length ? `${first.path.map(String).join('.')}: ` : ''}${first.message ?? 'invalid'}`;
  return messageOf(err).slice(0, 300);
}

function stripMcpPrefix(text: string): string {
  return text.replace(/^MCP error -?\d+:\s*/, '');
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
