import { performance } from 'node:perf_hooks';
import { ErrorCode, McpError, type CallToolResult, type Tool as McpTool } from '@modelcontextprotocol/sdk/types.js';
import { VegaError } from '../../src-shared/errors.js';
import {
  isStdioEntry,
  transportOf,
  type McpServerEntry,
  type McpServerFigures,
  type McpServerState,
  type McpToolInfo,
  type McpTransportKind,
} from '../../src-shared/mcp.js';
import { withDeadline } from '../engine/deadline.js';
import { Histogram } from '../engine/histogram.js';
import type { Logger } from '../engine/logger.js';
import type { BoundFetch } from '../engine/outbound/fetch.js';
import { connect, connectHttp, listTools, type Connected } from './connect.js';
import { callError, crashProblem, earlyExitProblem, isSchemaError, messageOf, spawnProblem, startProblem, type Problem } from './errors.js';
import { TreeSampler, type ProcInfo } from './proc.js';
import type { TreeStop } from './process-tree.js';
import type { RunningFile } from './running-file.js';
import { StdioChild, type ExitInfo } from './stdio.js';
import { parametersOf, resultText, toolInfo } from './tools.js';

export interface McpTiming {
  /** Bound of initialize plus tools/list. */
  readonly startMs: number;
  /** Bound of one tool call (the turn's own budget may end it sooner). */
  readonly callMs: number;
  /** At stop: how long a server may take to exit by itself once its stdin is closed, before SIGTERM. */
  readonly quietMs: number;
  /** At stop: how long SIGTERM is given before SIGKILL. */
  readonly graceMs: number;
  /** Waits before each restart after a failure, growing; the last repeats. */
  readonly backoffMs: readonly number[];
  /** Failed starts in a row after which Vega stops trying (Restart tries again). */
  readonly maxFailedStarts: number;
  /** A server up this long before it stops counts as healthy: its next failure starts the count afresh. */
  readonly stableMs: number;
  /** How often the processes under each server are written down, for the cleanup after Vega is killed. */
  readonly trackMs: number;
}

export const DEFAULT_TIMING: McpTiming = {
  startMs: 30_000,
  callMs: 60_000,
  quietMs: 1_000,
  graceMs: 2_000,
  backoffMs: [1_000, 2_000, 5_000, 10_000, 30_000],
  maxFailedStarts: 5,
  stableMs: 30_000,
  trackMs: 5_000,
};

/** How long a stop waits for a start in flight to settle, so the process it spawned is known and stopped too. */
const SETTLE_MS = 1_000;
/** How long a failed start waits to learn whether the process exited, and how. */
const EXIT_NOTICE_MS = 300;
/** Bound of the DELETE that ends an HTTP session. */
const GOODBYE_MS = 1_000;

export interface ServerDeps {
  readonly logger: Logger;
  /** The engine's fetch for this server's URL. */
  readonly fetch: (server: string, url: string) => BoundFetch;
  readonly running: RunningFile;
  readonly timing: McpTiming;
  readonly clientVersion: string;
  /** The server's state or tools changed: its tools are registered again. */
  readonly onTools: (server: McpServer) => void;
}

/** A tool as the server described it, with the schema the model is given. */
export interface ServerTool {
  readonly info: McpToolInfo;
  readonly parameters: Record<string, unknown>;
}

/** One attempt to run the server; a late callback of an older attempt changes nothing. */
interface Attempt {
  readonly controller: AbortController;
  connecting?: Promise<unknown>;
  child?: StdioChild;
  conn?: Connected;
  readyAt?: number;
  exit?: ExitInfo;
  over?: boolean;
}

/**
 * One configured server: started, watched, restarted after a crash with a
 * growing wait, stopped with its whole process tree. It never throws at its
 * owner: every failure becomes its state, a message and a fix.
 */
export class McpServer {
  readonly name: string;
  readonly entry: McpServerEntry;
  readonly #deps: ServerDeps;
  #state: McpServerState;
  #problem: Problem | null = null;
  #attempt: Attempt | undefined;
  #tools: ServerTool[] = [];
  #retry: NodeJS.Timeout | undefined;
  #failedStarts = 0;
  #restarts = 0;
  #calls = 0;
  #failures = 0;
  readonly #latency = new Histogram();
  readonly #sampler = new TreeSampler();
  #closed = false;

  constructor(name: string, entry: McpServerEntry, deps: ServerDeps) {
    this.name = name;
    this.entry = entry;
    this.#deps = deps;
    this.#state = entry.disabled ? 'disabled' : 'starting';
  }

  get state(): McpServerState {
    return this.#state;
  }

  /** The transport in use, else the configured one. */
  get transport(): McpTransportKind {
    return this.#attempt?.conn?.via ?? transportOf(this.entry);
  }

  get tools(): readonly ServerTool[] {
    return this.#tools;
  }

  get pid(): number | null {
    const child = this.#attempt?.child;
    return child?.running ? child.pid : null;
  }

  /** Start (unless disabled); resolves when this attempt is ready or has failed. Never rejects. */
  async start(): Promise<void> {
    if (this.#closed || this.entry.disabled) return;
    this.#clearRetry();
    const attempt: Attempt = { controller: new AbortController() };
    this.#attempt = attempt;
    this.#state = 'starting';
    const started = performance.now();
    const connecting = this.#connect(attempt);
    attempt.connecting = connecting.catch(() => undefined);
    try {
      const conn = await withDeadline(this.#deps.timing.startMs, () => connecting, { signal: attempt.controller.signal });
      if (this.#attempt !== attempt) return;
      attempt.readyAt = performance.now();
      this.#tools = conn.tools.map((t) => serverTool(this.name, t));
      this.#problem = null;
      this.#state = 'ready';
      const ms = Math.round(attempt.readyAt - started);
      const fields = { mcpServer: this.name, transport: this.transport, pid: attempt.child?.pid, tools: this.#tools.length, ms };
      this.#deps.logger.info(fields, `MCP server "${this.name}" ready: ${this.#tools.length} tools`);
      this.#deps.onTools(this);
    } catch (err) {
      if (this.#attempt !== attempt || this.#closed) return;
      // Retried unless retrying cannot help: a program that is not there, an answer that is not MCP.
      await this.#failed(attempt, await this.#startProblem(attempt, err), !(err instanceof SpawnError) && !isSchemaError(err));
    }
  }

  /** Stop its connection and processes, and any pending restart. */
  async stop(): Promise<TreeStop | null> {
    this.#clearRetry();
    const attempt = this.#attempt;
    this.#attempt = undefined;
    return attempt ? this.#end(attempt) : null;
  }

  /** Stop for good: Vega is quitting, or the server was removed or changed. */
  async close(): Promise<TreeStop | null> {
    this.#closed = true;
    return this.stop();
  }

  /** Stop whatever runs and forget earlier failures: the next start is a first one (the Restart button). */
  async reset(): Promise<void> {
    await this.stop();
    this.#failedStarts = 0;
    this.#problem = null;
    this.#state = 'starting';
  }

  /** The last resort when Vega's process exits without its cleanup: SIGKILL to the server, synchronously. */
  killNow(): void {
    this.#attempt?.child?.killTree();
  }

  /** Call one of its tools; every failure is a VegaError that says what happened and what to do. */
  async call(tool: string, args: Record<string, unknown>, signal: AbortSignal): Promise<string> {
    const conn = this.#attempt?.conn;
    if (this.#state !== 'ready' || !conn) {
      throw new VegaError(
        'PROVIDER_UNREACHABLE',
        `MCP server "${this.name}" is not ready (${this.#state}${this.#problem ? `: ${this.#problem.message}` : ''}).`,
      );
    }
    const { callMs } = this.#deps.timing;
    const start = performance.now();
    this.#calls++;
    try {
      // The SDK's own timeout tells the server the call is cancelled; the deadline also covers a transport that never settles.
      const call = (s: AbortSignal) => conn.client.callTool({ name: tool, arguments: args }, undefined, { signal: s, timeout: callMs });
      const result = (await withDeadline(callMs, call, { signal })) as CallToolResult;
      const text = resultText(result);
      if (result.isError)
        throw new VegaError('PROVIDER_ERROR', `Tool ${tool} of MCP server "${this.name}" reported an error: ${text || '(no message)'}`);
      return text;
    } catch (err) {
      this.#failures++;
      throw callError(err, this.name, tool, callMs);
    } finally {
      this.#latency.record(performance.now() - start);
    }
  }

  figures(procs: readonly ProcInfo[] | null): McpServerFigures {
    const tree = this.#sampler.sample(procs, this.pid);
    return {
      name: this.name,
      state: this.#state,
      transport: this.transport,
      pid: this.pid,
      memoryBytes: tree.memoryBytes,
      cpuPercent: tree.cpuPercent,
      processes: tree.processes,
      tools: this.#state === 'ready' ? this.#tools.length : 0,
      calls: this.#calls,
      failures: this.#failures,
      p50Ms: this.#latency.quantile(0.5),
      restarts: this.#restarts,
      lastError: this.#problem?.message ?? null,
      fix: this.#problem?.fix ?? null,
    };
  }

  async #connect(attempt: Attempt): Promise<Connected> {
    const { timing, clientVersion, logger, running } = this.#deps;
    const opts = {
      clientVersion,
      timeoutMs: timing.startMs,
      signal: attempt.controller.signal,
      onClose: () => this.#onClosed(attempt),
      onToolsChanged: () => void this.#refreshTools(attempt),
    };
    const entry = this.entry;
    if (!isStdioEntry(entry)) return (attempt.conn = await connectHttp(entry, this.#deps.fetch(this.name, entry.url), opts));
    const child = await StdioChild.start(entry, {
      onStderr: (line) => logger.info({ mcpServer: this.name }, `[mcp ${this.name}] ${line}`),
      onExit: (info) => {
        attempt.exit = info;
        this.#onClosed(attempt);
      },
    }).catch((err: unknown) => {
      throw new SpawnError(spawnProblem(entry.command, err));
    });
    attempt.child = child;
    running.add(this.name, child.pid).catch((err: unknown) => logger.warn({ err }, 'MCP: could not record a running server'));
    return (attempt.conn = await connect(child.transport, 'stdio', opts));
  }

  async #startProblem(attempt: Attempt, err: unknown): Promise<Problem> {
    if (err instanceof SpawnError) return err.problem;
    // A closed connection: the exit code and last stderr line say more. (Other failures close stdin themselves: their exit says nothing.)
    const closed = err instanceof McpError && err.code === (ErrorCode.ConnectionClosed as number);
    const exit = closed ? await this.#exitOf(attempt) : attempt.exit;
    if (exit) return earlyExitProblem(exit, attempt.child?.stderrTail.at(-1));
    return startProblem(err, this.#deps.timing.startMs);
  }

  /** The connection of a ready `attempt` ended: a crash, unless Vega ended it. */
  #onClosed(attempt: Attempt): void {
    // Before ready, start() sees the failure itself.
    if (this.#attempt !== attempt || this.#closed || attempt.readyAt === undefined || attempt.over) return;
    attempt.over = true;
    this.#state = 'restarting';
    if (performance.now() - attempt.readyAt >= this.#deps.timing.stableMs) this.#failedStarts = 0;
    this.#restarts++;
    void this.#exitOf(attempt).then((exit) => {
      const problem = exit
        ? crashProblem(exit)
        : { message: 'The connection to it closed.', fix: 'Vega reconnects; if it keeps happening, check the server.' };
      return this.#failed(attempt, problem, true);
    });
  }

  /** How the process ended: its stdout closes a moment before its exit is reported. Undefined for HTTP, or one still running. */
  async #exitOf(attempt: Attempt): Promise<ExitInfo | undefined> {
    const child = attempt.child;
    if (child && !attempt.exit) await withDeadline(EXIT_NOTICE_MS, () => child.exited, { onLate: () => undefined });
    return attempt.exit;
  }

  async #failed(attempt: Attempt, problem: Problem, retry: boolean): Promise<void> {
    attempt.over = true;
    this.#failedStarts++;
    const { backoffMs, maxFailedStarts } = this.#deps.timing;
    const again = retry && this.#failedStarts < maxFailedStarts;
    const waitMs = backoffMs[Math.min(this.#failedStarts - 1, backoffMs.length - 1)] ?? 1_000;
    this.#problem = again
      ? { ...problem, message: `${problem.message} Restarting in ${Math.round(waitMs / 100) / 10} s.` }
      : retry
        ? { ...problem, message: `${problem.message} (${this.#failedStarts} failed starts in a row: Vega stopped trying.)` }
        : problem;
    this.#state = again ? 'restarting' : 'failed';
    this.#deps.logger.warn(
      { mcpServer: this.name, failedStarts: this.#failedStarts, retryInMs: again ? waitMs : null },
      `MCP server "${this.name}" ${this.#state}: ${this.#problem.message}`,
    );
    this.#deps.onTools(this);
    await this.#end(attempt);
    if (!again || this.#closed || this.#attempt !== attempt) return;
    this.#attempt = undefined;
    this.#retry = setTimeout(() => void this.start(), waitMs);
    this.#retry.unref();
  }

  async #refreshTools(attempt: Attempt): Promise<void> {
    const conn = attempt.conn;
    if (!conn || this.#attempt !== attempt) return;
    try {
      const tools: McpTool[] = await listTools(conn.client, { timeout: this.#deps.timing.startMs });
      if (this.#attempt !== attempt) return;
      this.#tools = tools.map((t) => serverTool(this.name, t));
      this.#deps.onTools(this);
    } catch (err) {
      this.#deps.logger.warn({ mcpServer: this.name }, `MCP server "${this.name}": could not read its changed tools: ${messageOf(err)}`);
    }
  }

  /** End an attempt: its start in flight, its connection, its process tree. */
  async #end(attempt: Attempt): Promise<TreeStop | null> {
    attempt.over = true;
    attempt.controller.abort(new VegaError('ABORTED', 'Stopped.'));
    await withDeadline(SETTLE_MS, () => attempt.connecting, { onLate: () => undefined });
    const conn = attempt.conn;
    if (conn && !isStdioEntry(this.entry)) {
      // A polite goodbye to an HTTP server (DELETE of its session), bounded; then its streams are closed.
      const transport = conn.transport as { terminateSession?: () => Promise<void> };
      await withDeadline(GOODBYE_MS, async () => transport.terminateSession?.(), { onLate: () => undefined }).catch(() => undefined);
    }
    await conn?.client.close().catch(() => undefined);
    const child = attempt.child;
    if (!child) return null;
    const stop = await child.stop({ quietMs: this.#deps.timing.quietMs, graceMs: this.#deps.timing.graceMs });
    await this.#deps.running.remove(child.pid).catch(() => undefined);
    this.#deps.logger.info(
      { mcpServer: this.name, pid: child.pid, ...stop },
      `MCP server "${this.name}" stopped (${stop.outcome}, ${stop.ms} ms)`,
    );
    return stop;
  }

  #clearRetry(): void {
    if (this.#retry) clearTimeout(this.#retry);
    this.#retry = undefined;
  }
}

function serverTool(server: string, t: McpTool): ServerTool {
  return { info: toolInfo(server, t), parameters: parametersOf(t) };
}

/** The program could not be started at all: retrying will not help. */
class SpawnError extends Error {
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(problem.message);
    this.problem = problem;
  }
}
