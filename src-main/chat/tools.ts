import { VegaError } from '../../src-shared/errors.js';
import type { LlmToolSpec } from '../providers/llm.js';

export interface ToolContext {
  /** Aborted when the person stops the answer, or the tool loop's time is up. */
  readonly signal: AbortSignal;
  readonly requestId: string;
}

export interface Tool {
  /** What the model calls it by: letters, digits, _ and -. */
  readonly name: string;
  /** Told to the model: when to use it and what it returns. */
  readonly description: string;
  /** JSON schema of the arguments object. */
  readonly parameters: Record<string, unknown>;
  /** Changes something outside Vega (switches a light, posts a message): waits for the person's yes. */
  readonly stateChanging: boolean;
  /** The URL this call would send a request to, as the model chose it (web fetch): a way to send data out (see outbound-rule.ts). */
  sendsTo?(args: Record<string, unknown>): string | undefined;
  run(args: Record<string, unknown>, ctx: ToolContext): Promise<string>;
  /** Whether it can work now (its integration is set up); absent means always. */
  available?(): Promise<boolean>;
}

const TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** The tools the model may call; integrations register here, the chat offers them. */
export class ToolRegistry {
  readonly #tools = new Map<string, Tool>();

  /** Returns a function that unregisters the tool again. */
  register(tool: Tool): () => void {
    if (!TOOL_NAME.test(tool.name)) throw new VegaError('BAD_REQUEST', `Tool name "${tool.name}" must be 1-64 letters, digits, _ or -.`);
    if (this.#tools.has(tool.name)) throw new VegaError('BAD_REQUEST', `A tool named "${tool.name}" is already registered.`);
    this.#tools.set(tool.name, tool);
    return () => {
      if (this.#tools.get(tool.name) === tool) this.#tools.delete(tool.name);
    };
  }

  get(name: string): Tool | undefined {
    return this.#tools.get(name);
  }

  get size(): number {
    return this.#tools.size;
  }

  /** What to offer the model this turn: only tools that can work now, so it never picks one that must fail. */
  async specs(): Promise<LlmToolSpec[]> {
    const tools = [...this.#tools.values()];
    const ready = await Promise.all(tools.map((t) => (t.available ? t.available().catch(() => false) : Promise.resolve(true))));
    return tools.filter((_, i) => ready[i]).map((t) => ({ name: t.name, description: t.description, parameters: t.parameters }));
  }
}
