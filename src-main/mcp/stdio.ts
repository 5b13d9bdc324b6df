import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { McpStdioEntry } from '../../src-shared/mcp.js';
import { killTreeNow, stopTree, stopTreeWindows, type TreeStop, type TreeStopOptions } from './process-tree.js';

/**
 * A stdio server as a background process of Vega. Spawned here rather than
 * by the SDK's StdioClientTransport: it is the leader of its own process
 * group (`detached`), so the whole tree it starts can be signalled at once,
 * and the SDK gets a transport over the pipes of a child it does not own.
 */

/** One JSON-RPC line may be this large; more, and the server is treated as broken. */
const MAX_LINE_BYTES = 8 * 1024 * 1024;
/** stderr lines kept for the message when the server exits: its last words usually say why. */
const STDERR_KEPT = 20;
const STDERR_LINE_CHARS = 2_000;

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface StdioChildOptions {
  /** Each stderr line, as it comes. */
  readonly onStderr: (line: string) => void;
  /** The process ended, for whatever reason (also after `stop`). */
  readonly onExit: (info: ExitInfo) => void;
}

export class StdioChild {
  readonly pid: number;
  readonly transport: Transport;
  /** The last lines the server wrote to stderr. */
  readonly stderrTail: string[] = [];
  readonly exited: Promise<ExitInfo>;
  readonly #child: ChildProcessWithoutNullStreams;

  private constructor(child: ChildProcessWithoutNullStreams, opts: StdioChildOptions) {
    this.#child = child;
    this.pid = child.pid!;
    this.transport = new ChildTransport(child);
    let partial = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      const lines = (partial + chunk).split(/\r?\n/);
      partial = lines.pop() ?? '';
      if (partial.length > STDERR_LINE_CHARS) {
        lines.push(partial);
        partial = '';
      }
      for (const l of lines) this.#stderrLine(l, opts);
    });
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        if (partial) this.#stderrLine(partial, opts);
        const info = { code, signal };
        opts.onExit(info);
        resolve(info);
      });
    });
  }

  /** Start the program; rejects when it cannot be started at all (ENOENT, EACCES). */
  static start(entry: McpStdioEntry, opts: StdioChildOptions): Promise<StdioChild> {
    return new Promise((resolve, reject) => {
      const child = spawn(entry.command, entry.args ?? [], {
        cwd: entry.cwd,
        // Only the basics of Vega's environment (PATH, HOME, …), as the SDK does, plus the server's own.
        env: { ...getDefaultEnvironment(), ...entry.env },
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: true,
        windowsHide: true,
      });
      child.once('error', reject);
      child.once('spawn', () => {
        child.off('error', reject);
        // Later errors (a write to a closed pipe) end in 'exit' or a closed transport; they must not crash Vega.
        child.on('error', () => undefined);
        resolve(new StdioChild(child, opts));
      });
    });
  }

  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Close stdin (a polite server exits), then SIGTERM to its group, then SIGKILL, each bounded. */
  async stop(opts: TreeStopOptions): Promise<TreeStop> {
    this.#child.stdin.end();
    return process.platform === 'win32' ? stopTreeWindows(this.pid, this.exited, opts) : stopTree(this.pid, opts);
  }

  /** SIGKILL to the whole tree at once, synchronously: for when Vega's process is exiting and cannot wait. */
  killTree(): void {
    // Not reaped yet, so the pid (and the group it leads) is still this server's.
    if (this.running) killTreeNow(this.pid);
  }

  #stderrLine(text: string, opts: StdioChildOptions): void {
    const l = text.slice(0, STDERR_LINE_CHARS).trimEnd();
    if (!l) return;
    this.stderrTail.push(l);
    if (this.stderrTail.length > STDERR_KEPT) this.stderrTail.shift();
    opts.onStderr(l);
  }
}

/** The SDK's side of the child's pipes: newline-delimited JSON-RPC, as the SDK's own stdio transport speaks it. */
class ChildTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #buffer = new ReadBuffer({ maxBufferSize: MAX_LINE_BYTES });
  #closed = false;

  constructor(child: ChildProcessWithoutNullStreams) {
    this.#child = child;
  }

  async start(): Promise<void> {
    const child = this.#child;
    child.stdout.on('data', (chunk: Buffer) => {
      try {
        this.#buffer.append(chunk);
      } catch (err) {
        this.onerror?.(err as Error);
        void this.close();
        return;
      }
      for (;;) {
        let message: JSONRPCMessage | null;
        try {
          message = this.#buffer.readMessage();
        } catch (err) {
          // A line that is not JSON-RPC (a server printing to stdout): reported, and the next line is read.
          this.onerror?.(err as Error);
          continue;
        }
        if (message === null) break;
        this.onmessage?.(message);
      }
    });
    child.stdout.on('error', (err) => this.onerror?.(err));
    child.stdin.on('error', (err) => this.onerror?.(err));
    // stdout ends when the server exits (or closes it): the connection is over.
    child.stdout.once('close', () => void this.close());
    if (child.exitCode !== null || child.signalCode !== null) await this.close();
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      const stdin = this.#child.stdin;
      if (this.#closed || !stdin.writable) return reject(new Error('Not connected'));
      if (stdin.write(serializeMessage(message))) resolve();
      else stdin.once('drain', resolve);
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#buffer.clear();
    this.#child.stdin.end();
    this.onclose?.();
  }
}
