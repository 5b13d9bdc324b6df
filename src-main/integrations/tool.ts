import { z } from 'zod';
import { VegaError } from '../../src-shared/errors.js';
import type { IntegrationTool, ToolContext } from './types.js';

export interface ToolDefinition<S extends z.ZodType> {
  readonly name: string;
  readonly description: string;
  readonly schema: S;
  readonly stateChanging?: boolean;
  /** The URL a call sends a request to, when the model chooses it. */
  sendsTo?(args: z.infer<S>): string;
  run(args: z.infer<S>, ctx: ToolContext): Promise<string>;
}

/**
 * A tool from one zod schema: the JSON schema the model sees and the check
 * of what it sends back come from the same definition, so they cannot drift.
 * The model's arguments are untrusted input like any other. Numeric
 * arguments use z.coerce: small local models often send "5" for 5.
 */
export function defineTool<S extends z.ZodType>(def: ToolDefinition<S>): IntegrationTool {
  const { $schema: _drop, ...parameters } = z.toJSONSchema(def.schema) as Record<string, unknown>;
  return {
    name: def.name,
    description: def.description,
    parameters,
    stateChanging: def.stateChanging ?? false,
    ...(def.sendsTo && {
      sendsTo(args: unknown): string | undefined {
        const parsed = def.schema.safeParse(args ?? {});
        return parsed.success ? def.sendsTo?.(parsed.data) : undefined;
      },
    }),
    run(args: unknown, ctx: ToolContext): Promise<string> {
      const parsed = def.schema.safeParse(args ?? {});
      if (!parsed.success) {
        const why = parsed.error.issues.map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`).join('; ');
        return Promise.reject(new VegaError('BAD_REQUEST', `${def.name} was called with unusable arguments (${why}).`));
      }
      return def.run(parsed.data, ctx);
    },
  };
}
